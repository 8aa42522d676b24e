using System.Globalization;

namespace StockGod.LoadTests;

/// <summary>
/// One bounded run: start the services, set up the Api's data through its API, then each scenario for the warm-up and
/// the measured duration with RSS sampled, and stop everything. Loopback only; it ends by itself.
/// </summary>
public static class LoadRun
{
    public static async Task<LoadReport> RunAsync(LoadOptions options, TextWriter progress, CancellationToken cancellationToken)
    {
        var startedAt = DateTimeOffset.UtcNow;
        var loadAverageAtStart = ReadLoadAverage();
        await using var system = await RunningSystem.StartAsync(options, progress, cancellationToken);
        var processIds = system.Services.ToDictionary(s => s.Name, s => s.ProcessId!.Value);

        var results = new List<ScenarioResult>();
        using (var api = await ApiScenario.CreateAsync(system.UrlOf(RunningSystem.Api), options.Concurrency, options.Positions, progress, cancellationToken))
        {
            results.Add(await MeasureAsync(api, options, processIds, progress, cancellationToken));
        }

        using (var marketData = new MarketDataScenario(system.UrlOf(RunningSystem.MarketData), options.Concurrency))
        {
            results.Add(await MeasureAsync(marketData, options, processIds, progress, cancellationToken));
        }

        var services = system.Services
            .Select(s => new ServiceSummary(s.Name, processIds[s.Name], RssSampler.ReadStatusKiB(processIds[s.Name], "VmHWM") ?? 0, s.Restarts))
            .ToList();
        return new LoadReport(options, startedAt, loadAverageAtStart, results, services);
    }

    private static async Task<ScenarioResult> MeasureAsync(
        ILoadScenario scenario, LoadOptions options, IReadOnlyDictionary<string, int> processIds, TextWriter progress, CancellationToken cancellationToken)
    {
        if (options.Warmup > TimeSpan.Zero)
        {
            await progress.WriteLineAsync($"{scenario.Name}: warming up for {options.Warmup.TotalSeconds:0.#} s ...");
            await LoadDriver.RunAsync(scenario, options.Concurrency, options.Warmup, cancellationToken);
        }

        await progress.WriteLineAsync($"{scenario.Name}: measuring {options.Concurrency} callers for {options.Duration.TotalSeconds:0.#} s ...");
        var loadAverageBefore = ReadLoadAverage();
        await using var sampler = new RssSampler(processIds);
        var samples = await LoadDriver.RunAsync(scenario, options.Concurrency, options.Duration, cancellationToken);
        var peakRss = await sampler.StopAsync();
        return ScenarioResult.From(scenario.Name, options.Concurrency, samples, peakRss, loadAverageBefore, ReadLoadAverage());
    }

    /// <summary>The 1, 5 and 15 minute load averages (<c>/proc/loadavg</c>), as <c>uptime</c> shows them.</summary>
    public static string ReadLoadAverage()
    {
        try
        {
            var fields = File.ReadAllText("/proc/loadavg").Split(' ');
            return string.Join(' ', fields.Take(3).Select(f => double.Parse(f, CultureInfo.InvariantCulture).ToString("0.00", CultureInfo.InvariantCulture)));
        }
        catch (IOException)
        {
            return "unknown";
        }
    }
}
