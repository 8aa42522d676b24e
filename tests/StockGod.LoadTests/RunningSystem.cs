using System.Security.Cryptography;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Logging;
using StockGod.AppHost.Hosting;
using StockGod.AppHost.Hosting.ApplicationModel;
using StockGod.AppHost.Local;
using StockGod.AppHost.Orchestration;
using StockGod.Testing;

namespace StockGod.LoadTests;

/// <summary>
/// The AppHost's own graph (its Program, captured instead of run) started by the AppHost's own orchestrator: each
/// service is the built project running as a child process with Aspire's configuration keys
/// (<c>ConnectionStrings__stockgod</c>, <c>ConnectionStrings__redis</c>, <c>services__marketdata__http__0</c>,
/// <c>ASPNETCORE_URLS</c> …), on loopback ports. PostgreSQL and Redis are the throwaway test servers, handed to the
/// graph as existing connection strings. Disposing stops every service.
/// </summary>
public sealed class RunningSystem : IAsyncDisposable
{
    public const string MarketData = "marketdata";
    public const string Api = "api";
    public const string Scheduler = "scheduler";

    private static readonly TimeSpan StartTimeout = TimeSpan.FromMinutes(4);

    private readonly Orchestrator _orchestrator;
    private readonly ILoggerFactory _loggerFactory;
    private readonly string _stateDirectory;

    private RunningSystem(Orchestrator orchestrator, ILoggerFactory loggerFactory, string stateDirectory, IReadOnlyList<ResourceInstance> services)
    {
        _orchestrator = orchestrator;
        _loggerFactory = loggerFactory;
        _stateDirectory = stateDirectory;
        Services = services;
    }

    /// <summary>The service processes, in the graph's order.</summary>
    public IReadOnlyList<ResourceInstance> Services { get; }

    public Uri UrlOf(string service) => new(Services.Single(s => s.Name == service).Urls[0]);

    public static async Task<RunningSystem> StartAsync(LoadOptions options, TextWriter progress, CancellationToken cancellationToken)
    {
        var server = await TestServers.PostgresServerAsync();
        var database = await TestServers.CreateDatabaseAsync("load");
        var redis = await TestServers.RedisAsync();

        var application = BuildAppHostGraph(
            $"--ConnectionStrings:postgres={server}", $"--ConnectionStrings:stockgod={database}", $"--ConnectionStrings:redis={redis}");
        var model = application.Model;
        var projects = model.Resources.OfType<ProjectResource>().ToList();
        ConfigureForLoad(projects);

        if (!options.WithScheduler)
        {
            // The Api still gets the scheduler's address (its job endpoints, which the load does not call, would fail).
            var scheduler = projects.Single(p => p.Name == Scheduler);
            scheduler.HttpEndpoint.Allocate([LocalProcess.FindFreePort()]);
            model = new DistributedApplicationModel([.. model.Resources.Where(r => r != scheduler)], model.Parameters);
        }

        var stateDirectory = Path.Combine(Path.GetTempPath(), $"stockgod-load-{Guid.NewGuid():N}");
        var runOptions = new LocalRunOptions(stateDirectory, Fresh: false, new Uri("http://localhost:0"), null, null, null, IsDevelopment: false);
        LocalRunPreparation.Prepare(model, runOptions, new ConfigurationBuilder().Build());

        var loggerFactory = LoggerFactory.Create(logging => logging
            .SetMinimumLevel(LogLevel.Warning)
            .AddSimpleConsole(console => console.SingleLine = true)
            .AddConsole(console => console.LogToStandardErrorThreshold = LogLevel.Trace));
        var orchestrator = new Orchestrator(model, runOptions, TimeProvider.System, loggerFactory.CreateLogger<Orchestrator>());
        var services = orchestrator.Instances.Where(i => i.Resource is ProjectResource).ToList();
        var system = new RunningSystem(orchestrator, loggerFactory, stateDirectory, services);
        try
        {
            await progress.WriteLineAsync($"Starting {string.Join(", ", services.Select(s => s.Name))} as child processes ...");
            await orchestrator.StartAsync(cancellationToken);
            await system.WaitUntilHealthyAsync(cancellationToken);
            foreach (var service in services)
            {
                await progress.WriteLineAsync($"  {service.Name}: pid {service.ProcessId}, {service.Urls[0]}");
            }

            return system;
        }
        catch
        {
            await system.DisposeAsync();
            throw;
        }
    }

    /// <summary>The graph the AppHost's Program builds, with the given command-line configuration.</summary>
    private static DistributedApplication BuildAppHostGraph(params string[] args) => DistributedApplication.CaptureFromProgram(args);

    /// <summary>
    /// Configuration only, no code: Production (as deployed), logs below Warning off (as under load in production),
    /// the Api's per-caller rate limits out of the way (one user drives the whole load), a signing key for this run,
    /// and a synthetic universe of 50 symbols so a GetQuotes of 50 finds them all.
    /// </summary>
    private static void ConfigureForLoad(IEnumerable<ProjectResource> projects)
    {
        foreach (var project in projects)
        {
            project.AddEnvironment("ASPNETCORE_ENVIRONMENT", "Production");
            project.AddEnvironment("Logging__LogLevel__Default", "Warning");
            switch (project.Name)
            {
                case Api:
                    foreach (var rule in (string[])["Anonymous", "Authenticated", "SignIn", "Portfolios", "SymbolSearch", "Backtests"])
                    {
                        project.AddEnvironment($"RateLimiting__{rule}__PermitLimit", "1000000000");
                    }

                    project.AddEnvironment("Jwt__SigningKey", Convert.ToBase64String(RandomNumberGenerator.GetBytes(64)));
                    break;
                case MarketData:
                    for (var i = 0; i < LoadSymbols.All.Count; i++)
                    {
                        project.AddEnvironment($"MarketData__Synthetic__Symbols__{i}", LoadSymbols.All[i]);
                    }

                    break;
            }
        }
    }

    private async Task WaitUntilHealthyAsync(CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(StartTimeout);
        try
        {
            while (!_orchestrator.Instances.All(i => i.IsHealthy))
            {
                await Task.Delay(200, timeout.Token);
            }
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            var report = string.Join(Environment.NewLine, _orchestrator.Instances.Where(i => !i.IsHealthy).Select(i =>
                $"{i.Name}: {i.State}/{i.Health} {i.Message}{Environment.NewLine}{string.Join(Environment.NewLine, i.Logs.Last(30).Select(l => "    " + l.Text))}"));
            throw new TimeoutException($"The services were not healthy within {StartTimeout.TotalMinutes} minutes:{Environment.NewLine}{report}");
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _orchestrator.DisposeAsync();
        _loggerFactory.Dispose();
        if (Directory.Exists(_stateDirectory))
        {
            Directory.Delete(_stateDirectory, recursive: true);
        }
    }
}
