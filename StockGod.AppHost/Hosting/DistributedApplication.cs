using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using StockGod.AppHost.Dashboard;
using StockGod.AppHost.Hosting.ApplicationModel;
using StockGod.AppHost.Local;
using StockGod.AppHost.Orchestration;
using StockGod.AppHost.Publishing;

namespace StockGod.AppHost.Hosting;

/// <summary>The built graph: <see cref="Run"/> starts it locally or, with <c>--publisher manifest</c>, writes the manifest.</summary>
public sealed class DistributedApplication
{
    private readonly DistributedApplicationBuilder _builder;

    internal DistributedApplication(DistributedApplicationBuilder builder, DistributedApplicationModel model)
    {
        _builder = builder;
        Model = model;
    }

    /// <summary>
    /// Set by tests to receive the application that the AppHost's Program builds instead of running it (what
    /// Aspire.Hosting.Testing does with the real AppHost).
    /// </summary>
    internal static AsyncLocal<Action<DistributedApplication>?> Intercept { get; } = new();

    /// <summary>The application the AppHost's Program builds with <paramref name="args"/>, captured instead of run.</summary>
    internal static DistributedApplication CaptureFromProgram(params string[] args)
    {
        DistributedApplication? built = null;
        Intercept.Value = app => built = app;
        try
        {
            typeof(DistributedApplication).Assembly.EntryPoint!.Invoke(null, [args]);
        }
        finally
        {
            Intercept.Value = null;
        }

        return built ?? throw new InvalidOperationException("The AppHost did not build an application.");
    }

    public DistributedApplicationModel Model { get; }

    public DistributedApplicationExecutionContext ExecutionContext => _builder.ExecutionContext;

    internal DistributedApplicationBuilder Builder => _builder;

    public static DistributedApplicationBuilder CreateBuilder(string[] args) => new(args);

    public void Run() => RunAsync().GetAwaiter().GetResult();

    public async Task RunAsync(CancellationToken cancellationToken = default)
    {
        if (Intercept.Value is { } intercept)
        {
            intercept(this);
            return;
        }

        try
        {
            if (ExecutionContext.IsPublishMode)
            {
                await PublishAsync(cancellationToken);
            }
            else
            {
                await RunLocallyAsync(cancellationToken);
            }
        }
        catch (Exception ex) when (ex is MissingServerPackageException or ArgumentException)
        {
            // Something the user must fix: one line saying what, no stack trace.
            await Console.Error.WriteLineAsync(ex.Message);
            Environment.ExitCode = 1;
        }
    }

    private async Task PublishAsync(CancellationToken cancellationToken)
    {
        if (ExecutionContext.PublisherName != "manifest")
        {
            throw new ArgumentException($"Unknown publisher '{ExecutionContext.PublisherName}': the only one is 'manifest'.");
        }

        var outputPath = ExecutionContext.OutputPath
            ?? throw new ArgumentException("The manifest publisher needs --output-path <file>.");
        var written = await ManifestPublisher.WriteAsync(Model, outputPath, cancellationToken);
        await Console.Out.WriteLineAsync($"Published manifest to: {written}");
    }

    private async Task RunLocallyAsync(CancellationToken cancellationToken)
    {
        var options = LocalRunOptions.From(_builder.Configuration, _builder.Environment);
        CheckServerPackages();
        LocalRunPreparation.Prepare(Model, options, _builder.Configuration);

        var hostBuilder = _builder.HostBuilder;
        hostBuilder.WebHost.UseUrls(options.DashboardUrl.ToString());
        hostBuilder.Logging.AddFilter("Microsoft.AspNetCore", LogLevel.Warning);
        hostBuilder.Services.AddSingleton(Model);
        hostBuilder.Services.AddSingleton(options);
        hostBuilder.Services.AddSingleton(TimeProvider.System);
        hostBuilder.Services.AddSingleton<Orchestrator>();
        await using var app = hostBuilder.Build();
        app.MapDashboard();

        // The dashboard comes first: if its port is taken, nothing has been started yet.
        await app.StartAsync(cancellationToken);
        var orchestrator = app.Services.GetRequiredService<Orchestrator>();
        new ConsoleReporter(Console.Out, TimeProvider.System).Attach(orchestrator.Instances, _builder.CreatedAt);

        await Console.Out.WriteLineAsync($"Dashboard: {options.DashboardUrl}   state: {options.StateDirectory}   Ctrl+C stops everything.");
        await orchestrator.StartAsync(cancellationToken);

        var stopping = new TaskCompletionSource();
        using (app.Lifetime.ApplicationStopping.Register(() => stopping.TrySetResult()))
        using (cancellationToken.Register(() => stopping.TrySetResult()))
        {
            await stopping.Task;
        }

        await Console.Out.WriteLineAsync("Stopping the services, then Redis and PostgreSQL ...");
        await orchestrator.StopAsync(CancellationToken.None);
        await app.StopAsync(CancellationToken.None);
    }

    /// <summary>Fails fast, before anything starts, when a server the run needs is not installed.</summary>
    private void CheckServerPackages()
    {
        foreach (var resource in Model.Resources.OfType<IResourceWithConnectionString>().Where(r => LocalRunPreparation.RunsLocally(r, Model)))
        {
            _ = resource switch
            {
                PostgresServerResource => LocalPostgresServer.FindBinDirectory(),
                RedisResource => LocalRedisServer.FindExecutable(),
                _ => string.Empty,
            };
        }
    }
}
