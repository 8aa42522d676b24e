using StockGod.LoadTests;

namespace StockGod.AppHost.Tests;

/// <summary>
/// The load harness's fast mode (<c>--duration 3s</c>), as CI runs it: the built MarketData and Api as child processes
/// of the AppHost's orchestrator on throwaway PostgreSQL and Redis, every scenario driven and reported. The figures
/// themselves are in docs/benchmarks.md; here only that the harness works end to end and the services fail nothing.
/// </summary>
public sealed class LoadHarnessSmokeTests
{
    [Fact(Timeout = 240_000)]
    public async Task A_short_run_against_the_service_processes_fails_no_request_reports_every_operation_and_the_rss_of_each_service_and_stops_them()
    {
        var options = LoadOptions.Parse(["--duration", "3s", "--warmup", "0s", "--concurrency", "4", "--positions", "2", "--no-scheduler"]);
        using var progress = new StringWriter();

        var report = await LoadRun.RunAsync(options, progress, TestContext.Current.CancellationToken);

        var markdown = report.ToMarkdown();
        Assert.True(report.TotalErrors == 0, $"{markdown}\n{progress}");
        Assert.Equal(["api", "marketdata"], report.Scenarios.Select(s => s.Scenario));
        Assert.Equal([RunningSystem.MarketData, RunningSystem.Api], report.Services.Select(s => s.Name));
        foreach (var scenario in report.Scenarios)
        {
            Assert.True(scenario.Operations.Count >= 2, scenario.Scenario);
            Assert.All(scenario.Operations, operation =>
            {
                Assert.True(operation.Requests > 0 && operation.Throughput > 0, $"{scenario.Scenario} {operation.Operation}: {operation}");
                Assert.True(operation.P50Ms > 0 && operation.P50Ms <= operation.P99Ms && operation.P99Ms <= operation.MaxMs, $"{operation}");
                Assert.Contains($"| {scenario.Scenario} | `{operation.Operation}` |", markdown, StringComparison.Ordinal);
            });
            Assert.Equal(scenario.Operations.Sum(o => o.Requests), scenario.Total.Requests);
            Assert.All(report.Services, service => Assert.True(scenario.PeakRssKiB[service.Name] > 0, $"{service.Name} RSS during {scenario.Scenario}"));
        }

        Assert.All(report.Services, service =>
        {
            Assert.True(service.PeakRssKiB > 0, $"{service.Name} VmHWM");
            Assert.Equal(0, service.Restarts);
            Assert.False(IsRunning(service.ProcessId), $"{service.Name} (pid {service.ProcessId}) still runs after the harness ended");
        });
        Assert.Contains("Errors: none.", markdown, StringComparison.Ordinal);
    }

    /// <summary>The process exists and is not a zombie (the state field of <c>/proc/pid/stat</c> is not <c>Z</c>).</summary>
    private static bool IsRunning(int pid)
    {
        try
        {
            return !File.ReadAllText($"/proc/{pid}/stat").Split(')')[^1].TrimStart().StartsWith('Z');
        }
        catch (IOException)
        {
            return false;
        }
    }
}
