using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;
using StockGod.Api.Identity;
using StockGod.Api.Infrastructure;
using StockGod.Trading.Calendar;
using StockGod.Trading.Domain.Research;
using StockGod.Trading.Persistence;
using StockGod.Trading.Screening;
using StockGod.Trading.Screening.Distributed;

namespace StockGod.Api.Apis;

/// <summary>
/// The stored S&amp;P 500 screens (latest, by date; JSON, or CSV with <c>?format=csv</c> or <c>Accept: text/csv</c>) and
/// on-demand runs for operators, worked by the Scheduler's screening workers.
/// </summary>
public static class ScreeningsApi
{
    public const string CsvMediaType = "text/csv";

    public static RouteGroupBuilder MapScreeningsApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapApiGroup("screenings", "Screenings");
        api.MapGet("/latest", GetLatestAsync).WithSummary("The latest finished screen: top N with factor contributions, sectors, exclusions");
        api.MapGet("/{date}", GetByDateAsync).WithSummary("The latest finished screen as of a date (yyyy-MM-dd)");
        api.MapPost("/", StartAsync).RequireAuthorization(IdentityExtensions.OperatorPolicy).WithSummary("Start a screen now (operators); 202 with the run's location");
        api.MapGet("/runs/{runId:guid}", GetRunAsync).WithSummary("A screening run's status and progress");
        return api;
    }

    public static async Task<Results<Ok<ScreeningReportResponse>, ContentHttpResult, ProblemHttpResult>> GetLatestAsync(
        HttpRequest request, TradingDbContext db, CancellationToken cancellationToken)
    {
        var run = await Completed(db).FirstOrDefaultAsync(cancellationToken);
        return run is null ? Problems.NotFound("A finished screen") : Report(run, request);
    }

    public static async Task<Results<Ok<ScreeningReportResponse>, ContentHttpResult, ProblemHttpResult>> GetByDateAsync(
        DateOnly date, HttpRequest request, TradingDbContext db, CancellationToken cancellationToken)
    {
        var run = await Completed(db).Where(r => r.AsOf == date).FirstOrDefaultAsync(cancellationToken);
        return run is null ? Problems.NotFound($"A finished screen as of {date:yyyy-MM-dd}") : Report(run, request);
    }

    public static async Task<Results<Accepted<ScreeningRunResponse>, ValidationProblem, ProblemHttpResult>> StartAsync(
        StartScreeningRequest? body, ClaimsPrincipal principal, ScreeningRunService screenings, IOptions<ScreeningOptions> options,
        IMarketCalendar calendar, TimeProvider time, CancellationToken cancellationToken)
    {
        var asOf = body?.AsOf ?? ScreeningRunService.LatestClosedSessionDate(calendar, time.GetUtcNow());
        var settings = options.Value.SettingsFor(asOf);
        settings = settings with
        {
            TopN = body?.TopN ?? settings.TopN,
            Normalization = body?.Normalization ?? settings.Normalization,
            WithinSector = body?.WithinSector ?? settings.WithinSector,
        };

        ScreeningRun run;
        try
        {
            run = await screenings.StartAsync(settings, principal.GetUserId().ToString(), body?.ChunkSize, cancellationToken);
        }
        catch (InvalidOperationException e)
        {
            // No universe configured (or an empty one): the request is fine, the deployment cannot serve it.
            return TypedResults.Problem(statusCode: StatusCodes.Status503ServiceUnavailable, title: "Screening is not available", detail: e.Message, type: ProblemTypes.ServiceUnavailable);
        }

        return TypedResults.Accepted(RunLocation(run.Id), RunResponse(run, 0));
    }

    public static async Task<Results<Ok<ScreeningRunResponse>, ProblemHttpResult>> GetRunAsync(Guid runId, TradingDbContext db, CancellationToken cancellationToken)
    {
        var run = await db.Set<ScreeningRun>().AsNoTracking()
            .Where(r => r.Id == runId)
            .Select(r => new { r.Id, r.AsOf, r.Status, r.ChunkCount, r.RequestedBy, r.CreatedAt, r.FinishedAt, r.FailureReason })
            .FirstOrDefaultAsync(cancellationToken);
        if (run is null)
        {
            return Problems.NotFound("The screening run");
        }

        var completed = await db.Set<ScreeningWorkItem>().CountAsync(i => i.RunId == runId && i.Status == ScreeningWorkItemStatus.Completed, cancellationToken);
        return TypedResults.Ok(new ScreeningRunResponse(
            run.Id, run.AsOf, run.Status, run.ChunkCount, completed, run.RequestedBy, run.CreatedAt, run.FinishedAt, run.FailureReason,
            run.Status == ScreeningRunStatus.Completed ? ReportLocation(run.AsOf) : null));
    }

    /// <summary>Finished runs, newest as-of date first, then the newest finish (a re-run of a date replaces the older one).</summary>
    private static IQueryable<ScreeningRun> Completed(TradingDbContext db) =>
        db.Set<ScreeningRun>().AsNoTracking()
            .Where(r => r.Status == ScreeningRunStatus.Completed)
            .OrderByDescending(r => r.AsOf).ThenByDescending(r => r.FinishedAt);

    private static Results<Ok<ScreeningReportResponse>, ContentHttpResult, ProblemHttpResult> Report(ScreeningRun run, HttpRequest request) =>
        WantsCsv(request)
            ? TypedResults.Text(ScreeningCsv.Write(run.Report!.Top), CsvMediaType, System.Text.Encoding.UTF8)
            : TypedResults.Ok(ScreeningReportResponse.From(run));

    private static bool WantsCsv(HttpRequest request) =>
        string.Equals(request.Query["format"], "csv", StringComparison.OrdinalIgnoreCase)
        || request.GetTypedHeaders().Accept.Any(a => a.MediaType.Equals(CsvMediaType, StringComparison.OrdinalIgnoreCase));

    private static ScreeningRunResponse RunResponse(ScreeningRun run, int completed) => new(
        run.Id, run.AsOf, run.Status, run.ChunkCount, completed, run.RequestedBy, run.CreatedAt, run.FinishedAt, run.FailureReason, null);

    private static string RunLocation(Guid id) => $"{ApiRouting.Prefix}/screenings/runs/{id}";

    private static string ReportLocation(DateOnly asOf) => $"{ApiRouting.Prefix}/screenings/{asOf:yyyy-MM-dd}";
}
