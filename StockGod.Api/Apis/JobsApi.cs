using Microsoft.AspNetCore.Http.HttpResults;
using StockGod.Api.Identity;
using StockGod.Api.Infrastructure;
using V1 = StockGod.Scheduler.V1;

namespace StockGod.Api.Apis;

/// <summary>The operator's view of the scheduled jobs and their levers, through the Scheduler's JobControl service.</summary>
public static class JobsApi
{
    public static RouteGroupBuilder MapJobsApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapApiGroup("jobs", "Jobs")
            .RequireAuthorization(IdentityExtensions.OperatorPolicy)
            .AddEndpointFilter<GrpcProblemFilter>()
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);
        api.MapGet("/", ListJobsAsync).WithSummary("Every job with its status, counters, average duration and next run");
        api.MapGet("/executions", ListExecutionsAsync).WithSummary("Executions newest first, filtered by job and status, paged with next_page_token");
        api.MapPost("/{name}/trigger", TriggerAsync).WithSummary("Run the job now (also when disabled); 409 while its circuit breaker is open");
        api.MapPost("/{name}/enable", EnableAsync).WithSummary("Resume scheduled runs");
        api.MapPost("/{name}/disable", DisableAsync).WithSummary("Pause scheduled runs until enabled; 409 while its circuit breaker is open");
        api.MapPost("/{name}/reset-circuit-breaker", ResetCircuitBreakerAsync)
            .WithSummary("Close an open circuit breaker: the job is enabled again with its consecutive failures cleared");
        return api;
    }

    public static async Task<Ok<JobListResponse>> ListJobsAsync(V1.JobControl.JobControlClient client, CancellationToken cancellationToken)
    {
        var response = await client.ListJobsAsync(new V1.ListJobsRequest(), cancellationToken: cancellationToken);
        return TypedResults.Ok(new JobListResponse([.. response.Jobs.Select(JobResponse.From)]));
    }

    public static async Task<Results<Ok<JobExecutionPage>, ValidationProblem>> ListExecutionsAsync(
        [AsParameters] ListExecutionsQuery query, V1.JobControl.JobControlClient client, CancellationToken cancellationToken)
    {
        var request = new V1.ListExecutionsRequest
        {
            JobName = query.Job ?? string.Empty,
            Status = query.Status is null ? V1.ExecutionStatus.Unspecified : JobStatusNames.ParseExecution(query.Status)!.Value,
            PageSize = query.PageSize ?? 0,
            PageToken = query.PageToken ?? string.Empty,
        };
        var page = await client.ListExecutionsAsync(request, cancellationToken: cancellationToken);
        return TypedResults.Ok(new JobExecutionPage(
            [.. page.Executions.Select(JobExecutionResponse.From)],
            page.NextPageToken.Length > 0 ? page.NextPageToken : null));
    }

    public static Task<Results<Accepted<JobResponse>, ProblemHttpResult>> TriggerAsync(string name, V1.JobControl.JobControlClient client, CancellationToken cancellationToken) =>
        CommandAsync(name, async request => (await client.TriggerJobAsync(request, cancellationToken: cancellationToken)).Job,
            job => TypedResults.Accepted($"{ApiRouting.Prefix}/jobs/executions?job={job.Name}", job));

    public static Task<Results<Ok<JobResponse>, ProblemHttpResult>> EnableAsync(string name, V1.JobControl.JobControlClient client, CancellationToken cancellationToken) =>
        CommandAsync(name, async request => await client.ResumeJobAsync(request, cancellationToken: cancellationToken), TypedResults.Ok);

    public static Task<Results<Ok<JobResponse>, ProblemHttpResult>> DisableAsync(string name, V1.JobControl.JobControlClient client, CancellationToken cancellationToken) =>
        CommandAsync(name, async request => await client.PauseJobAsync(request, cancellationToken: cancellationToken), TypedResults.Ok);

    public static Task<Results<Ok<JobResponse>, ProblemHttpResult>> ResetCircuitBreakerAsync(string name, V1.JobControl.JobControlClient client, CancellationToken cancellationToken) =>
        CommandAsync(name, async request => await client.ResetCircuitBreakerAsync(request, cancellationToken: cancellationToken), TypedResults.Ok);

    /// <summary>A command on one job: a name that cannot be a job is a 404 without asking the Scheduler.</summary>
    private static async Task<Results<TResult, ProblemHttpResult>> CommandAsync<TResult>(
        string name, Func<V1.JobRequest, Task<V1.Job>> call, Func<JobResponse, TResult> answer)
        where TResult : IResult
    {
        if (!JobNames.IsValid(name))
        {
            return Problems.NotFound("The job");
        }

        return answer(JobResponse.From(await call(new V1.JobRequest { Name = name })));
    }
}
