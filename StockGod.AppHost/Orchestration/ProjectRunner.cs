using System.Diagnostics;
using System.Net;
using Microsoft.Extensions.Logging;
using StockGod.AppHost.Hosting.ApplicationModel;
using StockGod.AppHost.Local;

namespace StockGod.AppHost.Orchestration;

/// <summary>
/// Runs one replica of a project from its built output (<c>dotnet &lt;TargetPath&gt;</c>, the project folder as working
/// directory so its appsettings load), polls its health, and restarts it with exponential backoff when it exits.
/// </summary>
public sealed partial class ProjectRunner(
    ProjectResource project,
    int replica,
    ResourceInstance instance,
    IReadOnlyDictionary<string, string> environment,
    TimeProvider timeProvider,
    ILogger logger) : IAsyncDisposable
{
    /// <summary>A replica that ran this long before exiting is restarted quickly again: it was not crash-looping.</summary>
    public static readonly TimeSpan StableRunTime = TimeSpan.FromMinutes(1);

    private static readonly TimeSpan MaxRestartDelay = TimeSpan.FromSeconds(30);
    private readonly Lock _lock = new();
    private Process? _process;

    public ResourceInstance Instance => instance;

    /// <summary>1 s, 2 s, 4 s … up to 30 s after the n-th exit in a row.</summary>
    public static TimeSpan RestartDelay(int consecutiveFailures) =>
        TimeSpan.FromSeconds(Math.Min(Math.Pow(2, Math.Clamp(consecutiveFailures, 1, 16) - 1), MaxRestartDelay.TotalSeconds));

    public async Task RunAsync(CancellationToken cancellationToken)
    {
        var consecutiveFailures = 0;
        while (!cancellationToken.IsCancellationRequested)
        {
            instance.SetState(ResourceState.Starting);
            var startedAt = timeProvider.GetTimestamp();
            var process = StartProcess();
            instance.SetState(ResourceState.Running);

            using var health = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            var monitor = MonitorHealthAsync(health.Token);
            try
            {
                await process.WaitForExitAsync(cancellationToken);
            }
            catch (OperationCanceledException)
            {
                // Stopping: StopAsync ends the process.
                break;
            }
            finally
            {
                await health.CancelAsync();
                await monitor;
            }

            var exitCode = process.ExitCode;
            consecutiveFailures = timeProvider.GetElapsedTime(startedAt) >= StableRunTime ? 1 : consecutiveFailures + 1;
            var delay = RestartDelay(consecutiveFailures);
            instance.SetExited(exitCode, $"exited with code {exitCode}; restarting in {delay.TotalSeconds:0} s");
            LogExited(logger, instance.Name, exitCode, delay.TotalSeconds,
                string.Join(Environment.NewLine, instance.Logs.Last(20).Select(line => "    " + line.Text)));

            try
            {
                await Task.Delay(delay, timeProvider, cancellationToken);
            }
            catch (OperationCanceledException)
            {
                break;
            }

            instance.CountRestart();
        }
    }

    private Process StartProcess()
    {
        var process = LocalProcess.Start(
            DotnetHost,
            [project.Metadata.TargetPath],
            runAsUser: null,
            onOutput: line => instance.Logs.Add(line, timeProvider.GetUtcNow()),
            configure: startInfo =>
            {
                startInfo.WorkingDirectory = project.ProjectDirectory;
                foreach (var name in LocalRunEnvironment.NotInherited)
                {
                    startInfo.Environment.Remove(name);
                }

                foreach (var (name, value) in environment)
                {
                    startInfo.Environment[name] = value;
                }
            });
        lock (_lock)
        {
            _process?.Dispose();
            _process = process;
        }

        instance.SetProcess(process.Id, [project.HttpEndpoint.GetUrl(replica)]);
        return process;
    }

    private async Task MonitorHealthAsync(CancellationToken cancellationToken)
    {
        if (project.HealthCheckPath is null)
        {
            instance.SetHealth(HealthStatus.Healthy);
            return;
        }

        var url = new Uri(new Uri(project.HttpEndpoint.GetUrl(replica)), project.HealthCheckPath);
        using var client = CreateHealthClient(project.HttpEndpoint.Transport);
        while (!cancellationToken.IsCancellationRequested)
        {
            var healthy = await IsHealthyAsync(client, url, cancellationToken);
            instance.SetHealth(healthy ? HealthStatus.Healthy : HealthStatus.Unhealthy);
            try
            {
                await Task.Delay(healthy ? TimeSpan.FromSeconds(5) : TimeSpan.FromMilliseconds(500), timeProvider, cancellationToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }
    }

    /// <summary>gRPC services speak cleartext HTTP/2 only: ask with HTTP/2 prior knowledge.</summary>
    internal static HttpClient CreateHealthClient(string transport) => new()
    {
        Timeout = TimeSpan.FromSeconds(5),
        DefaultRequestVersion = transport == "http2" ? HttpVersion.Version20 : HttpVersion.Version11,
        DefaultVersionPolicy = transport == "http2" ? HttpVersionPolicy.RequestVersionExact : HttpVersionPolicy.RequestVersionOrLower,
    };

    private static async Task<bool> IsHealthyAsync(HttpClient client, Uri url, CancellationToken cancellationToken)
    {
        try
        {
            using var response = await client.GetAsync(url, cancellationToken);
            return response.StatusCode == HttpStatusCode.OK;
        }
        catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
        {
            return false;
        }
    }

    /// <summary>SIGTERM (ASP.NET Core shuts down gracefully), then kill after 10 s.</summary>
    public async Task StopAsync()
    {
        Process? process;
        lock (_lock)
        {
            process = _process;
            _process = null;
        }

        if (process is null)
        {
            return;
        }

        instance.SetState(ResourceState.Stopping);
        await LocalProcess.StopAsync(process, LocalProcess.SIGTERM, TimeSpan.FromSeconds(10));
        process.Dispose();
        instance.SetState(ResourceState.Stopped);
    }

    public async ValueTask DisposeAsync() => await StopAsync();

    /// <summary>The .NET host running us (DOTNET_HOST_PATH under the SDK), else dotnet from PATH.</summary>
    private static string DotnetHost =>
        Environment.GetEnvironmentVariable("DOTNET_HOST_PATH") is { Length: > 0 } host ? host
        : Path.GetFileNameWithoutExtension(Environment.ProcessPath) == "dotnet" ? Environment.ProcessPath!
        : "dotnet";

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Instance} exited with code {ExitCode}; restarting in {Delay:0} s. Last output:\n{Output}")]
    private static partial void LogExited(ILogger logger, string instance, int exitCode, double delay, string output);
}
