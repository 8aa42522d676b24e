using System.Globalization;
using System.Text;

namespace StockGod.LoadTests;

/// <param name="Throughput">Requests per second over the scenario's measured time.</param>
public sealed record OperationResult(string Operation, long Requests, double Throughput, double P50Ms, double P99Ms, double MaxMs, long Errors)
{
    public static OperationResult From(string operation, double[] sortedLatencies, long errors, TimeSpan elapsed) => new(
        operation,
        sortedLatencies.Length,
        sortedLatencies.Length / elapsed.TotalSeconds,
        Percentile(sortedLatencies, 0.50),
        Percentile(sortedLatencies, 0.99),
        sortedLatencies.Length == 0 ? 0 : sortedLatencies[^1],
        errors);

    /// <summary>Nearest rank: the smallest latency that at least <paramref name="p"/> of the requests did not exceed.</summary>
    public static double Percentile(double[] sorted, double p) =>
        sorted.Length == 0 ? 0 : sorted[Math.Clamp((int)Math.Ceiling(p * sorted.Length) - 1, 0, sorted.Length - 1)];
}

/// <param name="PeakRssKiB">The highest VmRSS sampled per service while the scenario was measured.</param>
public sealed record ScenarioResult(
    string Scenario,
    int Concurrency,
    TimeSpan Elapsed,
    IReadOnlyList<OperationResult> Operations,
    OperationResult Total,
    IReadOnlyDictionary<string, long> ErrorsByKind,
    IReadOnlyDictionary<string, string> FirstErrorByKind,
    IReadOnlyDictionary<string, long> PeakRssKiB,
    string LoadAverageBefore,
    string LoadAverageAfter)
{
    public static ScenarioResult From(
        string scenario, int concurrency, ScenarioSamples samples, IReadOnlyDictionary<string, long> peakRssKiB, string loadAverageBefore, string loadAverageAfter)
    {
        var operations = samples.Operations
            .Select((name, i) => OperationResult.From(name, samples.Latencies[i], samples.Errors[i], samples.Elapsed))
            .ToList();
        var total = OperationResult.From("all", [.. samples.Latencies.SelectMany(l => l).Order()], samples.Errors.Sum(), samples.Elapsed);
        return new ScenarioResult(scenario, concurrency, samples.Elapsed, operations, total, samples.ErrorsByKind, samples.FirstErrorByKind,
            peakRssKiB, loadAverageBefore, loadAverageAfter);
    }
}

/// <param name="PeakRssKiB">VmHWM at the end: the process's peak over its whole life, start-up and set-up included.</param>
public sealed record ServiceSummary(string Name, int ProcessId, long PeakRssKiB, int Restarts);

public sealed record LoadReport(LoadOptions Options, DateTimeOffset StartedAt, string LoadAverageAtStart, IReadOnlyList<ScenarioResult> Scenarios, IReadOnlyList<ServiceSummary> Services)
{
    public long TotalErrors => Scenarios.Sum(s => s.Total.Errors);

    public string ToMarkdown()
    {
        var text = new StringBuilder();
        void Line(FormattableString line) => text.AppendLine(line.ToString(CultureInfo.InvariantCulture));

        Line($"Load harness run of {StartedAt:yyyy-MM-dd HH:mm} UTC: {Options.Duration.TotalSeconds:0.#} s measured per scenario after {Options.Warmup.TotalSeconds:0.#} s of warm-up, {Options.Concurrency} concurrent callers per scenario (closed loop; in the api scenario each with a portfolio of {Options.Positions} positions), services {string.Join(", ", Services.Select(s => s.Name))}; load average at start {LoadAverageAtStart}.");
        text.AppendLine();
        Line($"| scenario | operation | requests | throughput (req/s) | p50 (ms) | p99 (ms) | max (ms) | errors |");
        Line($"|---|---|---:|---:|---:|---:|---:|---:|");
        foreach (var scenario in Scenarios)
        {
            foreach (var operation in scenario.Operations)
            {
                Row(scenario.Scenario, $"`{operation.Operation}`", operation);
            }

            Row(scenario.Scenario, "**all**", scenario.Total);
        }

        text.AppendLine();
        Line($"| scenario | measured (s) | callers | load average before → after |");
        Line($"|---|---:|---:|---|");
        foreach (var scenario in Scenarios)
        {
            Line($"| {scenario.Scenario} | {scenario.Elapsed.TotalSeconds:0.0} | {scenario.Concurrency} | {scenario.LoadAverageBefore} → {scenario.LoadAverageAfter} |");
        }

        text.AppendLine();
        Line($"| service | {string.Join(" | ", Scenarios.Select(s => $"peak RSS during {s.Scenario} (MiB)"))} | VmHWM, whole run (MiB) | restarts |");
        Line($"|---|{string.Concat(Scenarios.Select(_ => "---:|"))}---:|---:|");
        foreach (var service in Services)
        {
            Line($"| {service.Name} | {string.Join(" | ", Scenarios.Select(s => MiB(s.PeakRssKiB.GetValueOrDefault(service.Name))))} | {MiB(service.PeakRssKiB)} | {service.Restarts} |");
        }

        text.AppendLine();
        var errors = Scenarios.SelectMany(s => s.ErrorsByKind.Select(e => (s.Scenario, Kind: e.Key, Count: e.Value, First: s.FirstErrorByKind[e.Key]))).ToList();
        if (errors.Count == 0)
        {
            text.AppendLine("Errors: none.");
        }
        else
        {
            Line($"| scenario | error | count | first message |");
            Line($"|---|---|---:|---|");
            foreach (var (scenario, kind, count, first) in errors)
            {
                Line($"| {scenario} | {kind} | {count:N0} | {first.ReplaceLineEndings(" ").Replace("|", "\\|", StringComparison.Ordinal)} |");
            }
        }

        return text.ToString();

        void Row(string scenario, string operation, OperationResult result) =>
            Line($"| {scenario} | {operation} | {result.Requests:N0} | {result.Throughput:N1} | {result.P50Ms:0.0} | {result.P99Ms:0.0} | {result.MaxMs:0.0} | {result.Errors:N0} |");
    }

    private static string MiB(long kib) => (kib / 1024.0).ToString("N0", CultureInfo.InvariantCulture);
}
