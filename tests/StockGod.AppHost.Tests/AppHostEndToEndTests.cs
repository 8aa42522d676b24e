using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using StockGod.AppHost.Dashboard;
using StockGod.AppHost.Hosting;
using StockGod.AppHost.Local;

namespace StockGod.AppHost.Tests;

/// <summary>
/// The built AppHost as a user runs it: every resource becomes healthy, each service answers /health, and SIGINT
/// leaves no process of the run behind.
/// </summary>
public sealed class AppHostEndToEndTests : IDisposable
{
    // Generous: a cold PostgreSQL initdb and three service start-ups on a shared 2-core machine.
    private static readonly TimeSpan StartTimeout = TimeSpan.FromMinutes(5);
    private static readonly TimeSpan StopTimeout = TimeSpan.FromMinutes(2);

    private readonly AppHostModel.StateFolder _state = new();

    public void Dispose() => _state.Dispose();

    [Fact]
    public async Task Run_brings_every_resource_to_healthy_and_sigint_stops_every_process_of_the_run()
    {
        var cancellationToken = TestContext.Current.CancellationToken;
        var dashboard = new Uri($"http://127.0.0.1:{LocalProcess.FindFreePort()}/");
        var output = new LogCollector();
        using var appHost = StartAppHost(dashboard, output);
        using var client = new HttpClient { BaseAddress = dashboard, Timeout = TimeSpan.FromSeconds(10) };
        try
        {
            var resources = await WaitUntilAllHealthyAsync(client, appHost, output, cancellationToken);

            Assert.Equal(["postgres", "stockgod", "redis", "marketdata", "api", "scheduler"], resources.Select(r => r.Name));
            foreach (var service in resources.Where(r => r.Type == "Project"))
            {
                // MarketData and Scheduler speak gRPC: cleartext HTTP/2 only.
                using var health = service.Name == "api" ? new HttpClient() : CreateHttp2Client();
                using var response = await health.GetAsync(new Uri(new Uri(service.Urls[0]), "/health"), cancellationToken);
                Assert.True(response.StatusCode == HttpStatusCode.OK, $"{service.Name} /health answered {response.StatusCode}");
            }

            Assert.Contains("<title>StockGod resources</title>", await client.GetStringAsync(new Uri("/", UriKind.Relative), cancellationToken), StringComparison.Ordinal);
            var logs = await client.GetFromJsonAsync<LogView[]>(new Uri("/api/resources/api/logs", UriKind.Relative), cancellationToken);
            Assert.NotEmpty(logs!);

            var processIds = resources.Where(r => r.ProcessId is not null).Select(r => r.ProcessId!.Value).ToList();
            Assert.Equal(5, processIds.Count);
            Assert.All(processIds, pid => Assert.True(IsAlive(pid), $"process {pid} runs"));

            Assert.True(LocalProcess.SendSignal(appHost.Id, LocalProcess.SIGINT));
            using (var stopTimeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken))
            {
                stopTimeout.CancelAfter(StopTimeout);
                await appHost.WaitForExitAsync(stopTimeout.Token);
            }

            Assert.True(appHost.ExitCode == 0, $"AppHost exit code {appHost.ExitCode}:\n{output}");
            Assert.All(processIds, pid => Assert.False(IsAlive(pid), $"process {pid} is left:\n{output}"));
            Assert.Empty(ProcessesMentioning(_state.Path));
        }
        finally
        {
            if (!appHost.HasExited)
            {
                appHost.Kill(entireProcessTree: true);
            }
        }
    }

    private Process StartAppHost(Uri dashboard, LogCollector output)
    {
        var startInfo = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        foreach (var arg in (string[])[
            typeof(DistributedApplication).Assembly.Location,
            $"--AppHost:StateDirectory={_state.Path}",
            $"--Dashboard:Url={dashboard}"])
        {
            startInfo.ArgumentList.Add(arg);
        }

        startInfo.Environment["DOTNET_ENVIRONMENT"] = "Development";
        var process = new Process { StartInfo = startInfo };
        process.OutputDataReceived += (_, e) => output.Add(e.Data);
        process.ErrorDataReceived += (_, e) => output.Add(e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    private static async Task<ResourceView[]> WaitUntilAllHealthyAsync(HttpClient client, Process appHost, LogCollector output, CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(StartTimeout);
        ResourceView[] resources = [];
        try
        {
            while (true)
            {
                Assert.False(appHost.HasExited, $"the AppHost exited:\n{output}");
                try
                {
                    resources = await client.GetFromJsonAsync<ResourceView[]>(new Uri("/api/resources", UriKind.Relative), timeout.Token) ?? [];
                    if (resources.Length > 0 && resources.All(r => r is { State: "Running", Health: "Healthy" }))
                    {
                        return resources;
                    }
                }
                catch (HttpRequestException)
                {
                    // The dashboard is not listening yet.
                }

                await Task.Delay(500, timeout.Token);
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            Assert.Fail($"Not all healthy: {string.Join(", ", resources.Select(r => $"{r.Name}={r.State}/{r.Health}"))}\n{output}");
            throw;
        }
    }

    private static HttpClient CreateHttp2Client() => new()
    {
        DefaultRequestVersion = HttpVersion.Version20,
        DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact,
    };

    private static bool IsAlive(int pid) =>
        File.Exists($"/proc/{pid}/stat") && !File.ReadAllText($"/proc/{pid}/stat").Split(')')[^1].TrimStart().StartsWith('Z');

    /// <summary>Processes whose command line names the run's state folder (PostgreSQL's -D, Redis's data folder).</summary>
    private static List<string> ProcessesMentioning(string text)
    {
        var found = new List<string>();
        foreach (var dir in Directory.EnumerateDirectories("/proc").Where(d => int.TryParse(Path.GetFileName(d), out _)))
        {
            try
            {
                var commandLine = File.ReadAllText(Path.Combine(dir, "cmdline")).Replace('\0', ' ');
                if (commandLine.Contains(text, StringComparison.Ordinal) && !commandLine.Contains("StockGod.AppHost.Tests", StringComparison.Ordinal))
                {
                    found.Add($"{Path.GetFileName(dir)}: {commandLine}");
                }
            }
            catch (IOException)
            {
                // It exited while we looked.
            }
        }

        return found;
    }

    /// <summary>The AppHost's console, for failure messages.</summary>
    private sealed class LogCollector
    {
        private readonly System.Text.StringBuilder _text = new();

        public void Add(string? line)
        {
            if (line is null)
            {
                return;
            }

            lock (_text)
            {
                _text.AppendLine(line);
            }
        }

        public override string ToString()
        {
            lock (_text)
            {
                return _text.ToString();
            }
        }
    }
}
