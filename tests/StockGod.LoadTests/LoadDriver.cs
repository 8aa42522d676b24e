using System.Diagnostics;
using Grpc.Core;

namespace StockGod.LoadTests;

/// <summary>A mix of operations driven by concurrent callers; each caller runs them in turn, one at a time.</summary>
public interface ILoadScenario
{
    string Name { get; }

    /// <summary>The operations of the mix, in the order each caller runs them.</summary>
    IReadOnlyList<string> Operations { get; }

    /// <summary>Runs operation <paramref name="operation"/> once for <paramref name="caller"/>; throws on any failure.</summary>
    Task ExecuteAsync(int caller, int operation, CancellationToken cancellationToken);
}

/// <summary>A request the service answered with a failure: its kind (e.g. <c>HTTP 503</c>) and what it said.</summary>
public sealed class LoadFailureException(string kind, string detail) : Exception($"{kind}: {detail}")
{
    public string Kind { get; } = kind;
}

/// <summary>
/// Runs a scenario with a fixed number of closed-loop callers until a deadline: a caller starts no request after it,
/// and the ones in flight finish (each bounded by its own timeout), so the run stops by itself.
/// </summary>
public static class LoadDriver
{
    public static async Task<ScenarioSamples> RunAsync(ILoadScenario scenario, int concurrency, TimeSpan duration, CancellationToken cancellationToken)
    {
        var started = Stopwatch.GetTimestamp();
        var deadline = started + (long)(duration.TotalSeconds * Stopwatch.Frequency);
        var callers = Enumerable.Range(0, concurrency)
            .Select(caller => Task.Run(() => RunCallerAsync(scenario, caller, deadline, cancellationToken), cancellationToken))
            .ToArray();
        var samples = await Task.WhenAll(callers);
        return ScenarioSamples.Merge(scenario.Operations, samples, Stopwatch.GetElapsedTime(started));
    }

    private static async Task<CallerSamples> RunCallerAsync(ILoadScenario scenario, int caller, long deadline, CancellationToken cancellationToken)
    {
        var samples = new CallerSamples(scenario.Operations.Count);
        // Callers start at different points of the mix, so every operation is in flight at once.
        for (var step = caller; Stopwatch.GetTimestamp() < deadline && !cancellationToken.IsCancellationRequested; step++)
        {
            var operation = step % scenario.Operations.Count;
            var requestStarted = Stopwatch.GetTimestamp();
            string? failure = null;
            try
            {
                await scenario.ExecuteAsync(caller, operation, cancellationToken);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception ex)
            {
                failure = ex switch
                {
                    LoadFailureException load => load.Kind,
                    RpcException rpc => $"gRPC {rpc.StatusCode}",
                    _ => ex.GetType().Name,
                };
                samples.Fail(failure, ex.Message);
            }

            samples.Add(operation, Stopwatch.GetElapsedTime(requestStarted).TotalMilliseconds, failed: failure is not null);
        }

        return samples;
    }
}

/// <summary>One caller's latencies per operation and its failures (no sharing between callers while they run).</summary>
public sealed class CallerSamples(int operations)
{
    public List<double>[] Latencies { get; } = [.. Enumerable.Range(0, operations).Select(_ => new List<double>(4096))];

    public long[] Errors { get; } = new long[operations];

    public Dictionary<string, long> ErrorsByKind { get; } = [];

    public Dictionary<string, string> FirstErrorByKind { get; } = [];

    public void Add(int operation, double milliseconds, bool failed)
    {
        Latencies[operation].Add(milliseconds);
        if (failed)
        {
            Errors[operation]++;
        }
    }

    public void Fail(string kind, string message)
    {
        ErrorsByKind[kind] = ErrorsByKind.GetValueOrDefault(kind) + 1;
        FirstErrorByKind.TryAdd(kind, message);
    }
}

/// <param name="Latencies">Every request's latency in milliseconds per operation, sorted.</param>
public sealed record ScenarioSamples(
    IReadOnlyList<string> Operations,
    IReadOnlyList<double[]> Latencies,
    IReadOnlyList<long> Errors,
    IReadOnlyDictionary<string, long> ErrorsByKind,
    IReadOnlyDictionary<string, string> FirstErrorByKind,
    TimeSpan Elapsed)
{
    public static ScenarioSamples Merge(IReadOnlyList<string> operations, IReadOnlyList<CallerSamples> callers, TimeSpan elapsed)
    {
        var errorsByKind = new SortedDictionary<string, long>(StringComparer.Ordinal);
        var firstErrors = new SortedDictionary<string, string>(StringComparer.Ordinal);
        foreach (var caller in callers)
        {
            foreach (var (kind, count) in caller.ErrorsByKind)
            {
                errorsByKind[kind] = errorsByKind.GetValueOrDefault(kind) + count;
                firstErrors.TryAdd(kind, caller.FirstErrorByKind[kind]);
            }
        }

        return new ScenarioSamples(
            operations,
            [.. operations.Select((_, i) => callers.SelectMany(c => c.Latencies[i]).Order().ToArray())],
            [.. operations.Select((_, i) => callers.Sum(c => c.Errors[i]))],
            errorsByKind,
            firstErrors,
            elapsed);
    }
}
