using System.Collections.Immutable;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using StockGod.Trading.Domain.Research;

namespace StockGod.Trading.Screening.Distributed;

/// <summary>What one pass of a worker did: the chunk it held, and the run when this pass completed it.</summary>
public sealed record ChunkOutcome(ClaimedChunk Chunk, ScreeningRun? CompletedRun, string? Error);

/// <summary>
/// One worker step: claim a chunk, fetch its symbols' daily bars from the market-data seam, compute the raw factors
/// (<see cref="ScreeningChunk"/>) and hand the result back to the queue, which aggregates when it was the last.
/// Stateless, so any number of workers in any number of replicas can run it side by side.
/// </summary>
public sealed class ScreeningChunkProcessor(
    IServiceScopeFactory scopes,
    IMarketDataSource marketData,
    ScreeningReferenceData referenceData,
    IOptions<ScreeningOptions> options)
{
    /// <summary>Works the next due chunk; null when there was none.</summary>
    public async Task<ChunkOutcome?> ProcessNextAsync(string worker, CancellationToken cancellationToken)
    {
        await using var scope = scopes.CreateAsyncScope();
        var queue = scope.ServiceProvider.GetRequiredService<ScreeningWorkQueue>();
        var chunk = await queue.ClaimAsync(worker, cancellationToken);
        if (chunk is null)
        {
            return null;
        }

        ScreeningChunkResult result;
        try
        {
            var (start, end) = HistoryWindow(chunk.Settings.AsOf, options.Value.HistoryDays);
            var bars = await marketData.GetBarsAsync([.. chunk.Members.Select(m => m.Symbol)], BarTimeframe.Day1, start, end, cancellationToken);
            var barsBySymbol = bars.ToDictionary(p => p.Key, p => p.Value.ToImmutableArray(), StringComparer.Ordinal);
            result = ScreeningChunk.Compute(chunk.Members, barsBySymbol, referenceData.Fundamentals, chunk.Settings, cancellationToken);
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            var error = $"{e.GetType().Name}: {e.Message}";
            await queue.FailAsync(chunk, worker, error, CancellationToken.None);
            return new ChunkOutcome(chunk, null, error);
        }

        return new ChunkOutcome(chunk, await queue.CompleteAsync(chunk, worker, result, cancellationToken), null);
    }

    /// <summary>The daily bars a chunk reads: <paramref name="historyDays"/> calendar days up to and including the as-of day.</summary>
    public static (DateTimeOffset Start, DateTimeOffset End) HistoryWindow(DateOnly asOf, int historyDays) =>
        (NewYorkTime.StartOfDay(asOf.AddDays(-historyDays)), NewYorkTime.StartOfDay(asOf.AddDays(1)));
}
