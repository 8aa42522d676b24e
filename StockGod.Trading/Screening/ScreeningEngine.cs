using System.Collections.Immutable;

namespace StockGod.Trading.Screening;

/// <summary>
/// Runs a whole screen in one process: splits the universe into chunks, computes each with
/// <see cref="ScreeningChunk"/> and aggregates them. A distributed run hands the same chunks to workers instead.
/// </summary>
public static class ScreeningEngine
{
    public static ScreeningResult Run(
        IReadOnlyList<UniverseMember> universe,
        IReadOnlyDictionary<string, ImmutableArray<Bar>> barsBySymbol,
        IReadOnlyDictionary<string, Fundamentals>? fundamentals,
        ScreeningSettings settings,
        int chunkSize = ScreeningSettings.DefaultChunkSize,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(universe);
        var chunks = Chunk(universe, chunkSize)
            .Select(members => ScreeningChunk.Compute(members, barsBySymbol, fundamentals, settings, cancellationToken))
            .ToList();
        return ScreeningAggregator.Aggregate(settings, chunks);
    }

    /// <summary>The universe cut into chunks of at most <paramref name="chunkSize"/> symbols, duplicates removed.</summary>
    public static IReadOnlyList<UniverseMember[]> Chunk(IReadOnlyList<UniverseMember> universe, int chunkSize)
    {
        ArgumentNullException.ThrowIfNull(universe);
        ArgumentOutOfRangeException.ThrowIfLessThan(chunkSize, 1);
        return [.. universe.DistinctBy(m => m.Symbol, StringComparer.Ordinal).Chunk(chunkSize)];
    }

    /// <summary>
    /// The default universe: the constituents list when there is one, otherwise every symbol the provider has bars
    /// for, with its sector from the fundamentals snapshot when known.
    /// </summary>
    public static IReadOnlyList<UniverseMember> DefaultUniverse(
        IReadOnlyList<UniverseMember>? constituents,
        IEnumerable<string> providerSymbols,
        IReadOnlyDictionary<string, Fundamentals>? fundamentals)
    {
        ArgumentNullException.ThrowIfNull(providerSymbols);
        return constituents is { Count: > 0 }
            ? constituents
            : [.. providerSymbols.Order(StringComparer.Ordinal)
                .Select(s => new UniverseMember(s, fundamentals?.GetValueOrDefault(s)?.Sector ?? UniverseMember.UnknownSector))];
    }
}
