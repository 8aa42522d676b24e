using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Mvc;
using StockGod.Api.Validation;
using V1 = StockGod.Scheduler.V1;

namespace StockGod.Api.Apis;

internal static partial class JobNames
{
    public const int MaxLength = 100;

    public static bool IsValid(string? name) => name is { Length: > 0 and <= MaxLength } && Pattern().IsMatch(name);

    // The catalog's names (price_update, job_execution_retention): anything else cannot be a job.
    [GeneratedRegex("^[a-z0-9_]+$")]
    private static partial Regex Pattern();
}

/// <summary>Status names on the wire: <c>enabled</c>, <c>paused</c> and <c>error</c> (circuit breaker open); executions <c>started</c>, <c>completed</c>, <c>failed</c>.</summary>
internal static class JobStatusNames
{
    public static string Of(V1.JobStatus status) => status switch
    {
        V1.JobStatus.Enabled => "enabled",
        V1.JobStatus.Paused => "paused",
        V1.JobStatus.Error => "error",
        _ => "unknown",
    };

    public static string? Of(V1.ExecutionStatus status) => status switch
    {
        V1.ExecutionStatus.Started => "started",
        V1.ExecutionStatus.Completed => "completed",
        V1.ExecutionStatus.Failed => "failed",
        _ => null,
    };

    public static V1.ExecutionStatus? ParseExecution(string value) => value switch
    {
        "started" => V1.ExecutionStatus.Started,
        "completed" => V1.ExecutionStatus.Completed,
        "failed" => V1.ExecutionStatus.Failed,
        _ => null,
    };
}

public sealed record ListExecutionsQuery(
    [property: FromQuery(Name = "job")] string? Job,
    [property: FromQuery(Name = "status")] string? Status,
    [property: FromQuery(Name = "page_size")] int? PageSize,
    [property: FromQuery(Name = "page_token")] string? PageToken) : IValidatableRequest
{
    public const int MaxPageSize = 200;

    public void Validate(ValidationErrors errors)
    {
        if (Job is not null && !JobNames.IsValid(Job))
        {
            errors.Add("job", "must be a job name such as price_update.");
        }

        if (Status is not null && JobStatusNames.ParseExecution(Status) is null)
        {
            errors.Add("status", "must be started, completed or failed.");
        }

        errors.Range("page_size", PageSize, 1, MaxPageSize);
        errors.Length("page_token", PageToken, 1, 1_024);
    }
}

public sealed record JobResponse(
    string Name,
    string Description,
    string CronExpression,
    string Status,
    DateTimeOffset? LastExecutionAt,
    string? LastExecutionStatus,
    string? LastErrorMessage,
    long ExecutionCount,
    long FailureCount,
    int ConsecutiveFailures,
    int CircuitBreakerThreshold,
    double? AverageDurationMs,
    DateTimeOffset? NextRunAt)
{
    public static JobResponse From(V1.Job job) => new(
        job.Name,
        job.Description,
        job.CronExpression,
        JobStatusNames.Of(job.Status),
        job.LastExecutionAt?.ToDateTimeOffset(),
        JobStatusNames.Of(job.LastExecutionStatus),
        job.LastErrorMessage.Length > 0 ? job.LastErrorMessage : null,
        job.ExecutionCount,
        job.FailureCount,
        job.ConsecutiveFailures,
        job.CircuitBreakerThreshold,
        job.HasAverageDurationMs ? job.AverageDurationMs : null,
        job.NextRunAt?.ToDateTimeOffset());
}

public sealed record JobListResponse(IReadOnlyList<JobResponse> Jobs);

/// <summary>One run. <c>metadata</c> holds the run's counters as the job reported them.</summary>
public sealed record JobExecutionResponse(
    Guid Id,
    string JobName,
    string? Status,
    DateTimeOffset? StartedAt,
    DateTimeOffset? EndedAt,
    long? DurationMs,
    string? ErrorMessage,
    System.Text.Json.JsonElement? Metadata,
    string InstanceId)
{
    public static JobExecutionResponse From(V1.Execution e) => new(
        Guid.Parse(e.Id),
        e.JobName,
        JobStatusNames.Of(e.Status),
        e.StartedAt?.ToDateTimeOffset(),
        e.EndedAt?.ToDateTimeOffset(),
        e.HasDurationMs ? e.DurationMs : null,
        e.ErrorMessage.Length > 0 ? e.ErrorMessage : null,
        e.MetadataJson.Length > 0 ? System.Text.Json.JsonDocument.Parse(e.MetadataJson).RootElement.Clone() : null,
        e.InstanceId);
}

/// <summary>Newest first; <c>next_page_token</c> is null on the last page.</summary>
public sealed record JobExecutionPage(IReadOnlyList<JobExecutionResponse> Executions, string? NextPageToken);
