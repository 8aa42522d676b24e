using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Routing;
using StockGod.AppHost.Orchestration;

namespace StockGod.AppHost.Dashboard;

/// <summary>One resource as the dashboard shows it.</summary>
public sealed record ResourceView(
    string Name,
    string Resource,
    string Type,
    string State,
    string Health,
    IReadOnlyList<string> Urls,
    int? ProcessId,
    int Restarts,
    int? ExitCode,
    string? Message);

public sealed record LogView(long Sequence, DateTimeOffset Time, string Text);

/// <summary>The local dashboard: a page, the resources as JSON, and each resource's console output.</summary>
public static class DashboardEndpoints
{
    public static IEndpointRouteBuilder MapDashboard(this IEndpointRouteBuilder app)
    {
        app.MapGet("/", () => Results.Stream(
            typeof(DashboardEndpoints).Assembly.GetManifestResourceStream("StockGod.AppHost.Dashboard.index.html")!,
            "text/html; charset=utf-8"));
        app.MapGet("/api/resources", GetResources);
        app.MapGet("/api/resources/{name}/logs", GetLogs);
        return app;
    }

    public static Ok<ResourceView[]> GetResources(Orchestrator orchestrator) =>
        TypedResults.Ok(orchestrator.Instances.Select(instance => new ResourceView(
            instance.Name,
            instance.Resource.Name,
            instance.Resource.Type,
            instance.State.ToString(),
            instance.Health.ToString(),
            instance.Urls,
            instance.ProcessId,
            instance.Restarts,
            instance.ExitCode,
            instance.Message)).ToArray());

    /// <summary>Lines after <paramref name="after"/> (a sequence number), so the page polls for what is new.</summary>
    public static Results<Ok<LogView[]>, NotFound> GetLogs(Orchestrator orchestrator, string name, long after = -1)
    {
        var instance = orchestrator.Instances.FirstOrDefault(i => i.Name == name);
        return instance is null
            ? TypedResults.NotFound()
            : TypedResults.Ok(instance.Logs.Since(after).Select(line => new LogView(line.Sequence, line.Time, line.Text)).ToArray());
    }
}
