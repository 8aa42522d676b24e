using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Time.Testing;
using StockGod.AppHost.Hosting.ApplicationModel;
using StockGod.AppHost.Orchestration;
using StockGod.Testing;

namespace StockGod.AppHost.Tests;

public sealed class ProjectRunnerTests
{
    [Fact]
    public void Restart_delay_doubles_from_one_second_up_to_thirty()
    {
        Assert.Equal(
            [1, 2, 4, 8, 16, 30, 30],
            Enumerable.Range(1, 7).Select(n => ProjectRunner.RestartDelay(n).TotalSeconds));
    }

    [Fact]
    public async Task A_crashing_service_is_shown_failed_with_its_output_and_restarted_only_after_the_backoff()
    {
        var folder = Directory.CreateTempSubdirectory("stockgod-crash-");
        try
        {
            // `dotnet <missing dll>` starts, writes an error and exits non-zero: a real crashing child process.
            var project = new ProjectResource("crasher", new MissingProject(folder.FullName));
            project.HttpEndpoint.Allocate([StockGod.AppHost.Local.LocalProcess.FindFreePort()]);
            var instance = new ResourceInstance(project, project.Name);
            var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
            await using var runner = new ProjectRunner(project, 0, instance, new Dictionary<string, string>(), time, NullLogger.Instance);
            using var stop = new CancellationTokenSource();

            var run = runner.RunAsync(stop.Token);
            await Eventually.UntilAsync(() => instance.State == ResourceState.Failed, "the project never failed", TestContext.Current.CancellationToken, TimeSpan.FromMinutes(2));

            Assert.NotEqual(0, instance.ExitCode);
            Assert.Contains(instance.Logs.Since(), line => line.Text.Contains("crasher.dll", StringComparison.Ordinal));
            Assert.Equal(0, instance.Restarts);

            time.Advance(ProjectRunner.RestartDelay(1) - TimeSpan.FromMilliseconds(1));
            await Task.Yield();
            Assert.Equal(0, instance.Restarts);
            Assert.Equal(ResourceState.Failed, instance.State);

            time.Advance(TimeSpan.FromMilliseconds(1));
            await Eventually.UntilAsync(() => instance.Restarts == 1 && instance.State == ResourceState.Failed, "the project was not restarted once and failed", TestContext.Current.CancellationToken, TimeSpan.FromMinutes(2));
            Assert.Contains("restarting in 2 s", instance.Message, StringComparison.Ordinal);

            await stop.CancelAsync();
            await run;
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    private sealed class MissingProject(string folder) : IProjectMetadata
    {
        public string ProjectPath => Path.Combine(folder, "crasher.csproj");

        public string TargetPath => Path.Combine(folder, "crasher.dll");
    }
}
