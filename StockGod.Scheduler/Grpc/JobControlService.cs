using System.Globalization;
using System.Text;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Quartz;
using StockGod.Scheduler.Engine;
using StockGod.Scheduler.V1;
using StockGod.Trading.Domain.Jobs;
using StockGod.Trading.Persistence;
using ExecutionStatus = StockGod.Scheduler.V1.ExecutionStatus;
using JobStatus = StockGod.Scheduler.V1.JobStatus;

namespace StockGod.Scheduler.Grpc;

/// <summary>
/// JobControl: the operator's view and levers. The scheduled_jobs row is the source of truth for a job's status (the
/// runner refuses paused and tripped jobs on every replica); pause and resume also pause the Quartz triggers so a
/// paused job does not even fire.
/// </summary>
internal sealed class JobControlService(
    TradingDbContext db,
    ISchedulerFactory schedulerFactory,
    JobCatalog catalog,
    TradingHours tradingHours,
    TimeProvider time,
    IOptions<SchedulerOptions> options) : JobControl.JobControlBase
{
    private const int DefaultPageSize = 50;
    private const int MaxPageSize = 200;

    // A week of one-minute firings: enough to reach the next trading session from any point.
    private const int MaxFiringsToNextRun = 7 * 24 * 60;

    public override async Task<ListJobsResponse> ListJobs(ListJobsRequest request, ServerCallContext context)
    {
        var jobs = await db.ScheduledJobs.AsNoTracking().OrderBy(j => j.Name).ToListAsync(context.CancellationToken);
        var scheduler = await schedulerFactory.GetScheduler(context.CancellationToken);
        var response = new ListJobsResponse();
        foreach (var job in jobs)
        {
            response.Jobs.Add(await ToMessageAsync(job, scheduler, context.CancellationToken));
        }

        return response;
    }

    public override async Task<ListExecutionsResponse> ListExecutions(ListExecutionsRequest request, ServerCallContext context)
    {
        var pageSize = request.PageSize switch
        {
            0 => DefaultPageSize,
            < 0 or > MaxPageSize => throw new RpcException(new Status(StatusCode.InvalidArgument, $"page_size must be between 1 and {MaxPageSize}.")),
            _ => request.PageSize,
        };
        var names = await db.ScheduledJobs.AsNoTracking().ToDictionaryAsync(j => j.Id, j => j.Name, context.CancellationToken);
        var query = db.JobExecutions.AsNoTracking();
        if (request.JobName.Length > 0)
        {
            var jobId = names.Where(n => n.Value == request.JobName).Select(n => (Guid?)n.Key).SingleOrDefault()
                ?? throw new RpcException(new Status(StatusCode.NotFound, $"No job named '{request.JobName}'."));
            query = query.Where(e => e.JobId == jobId);
        }

        if (request.Status != ExecutionStatus.Unspecified)
        {
            var status = FromMessage(request.Status);
            query = query.Where(e => e.Status == status);
        }

        if (request.PageToken.Length > 0)
        {
            var (startedAt, id) = DecodePageToken(request.PageToken);
            query = query.Where(e => e.StartedAt < startedAt || (e.StartedAt == startedAt && e.Id.CompareTo(id) < 0));
        }

        var page = await query.OrderByDescending(e => e.StartedAt).ThenByDescending(e => e.Id)
            .Take(pageSize + 1).ToListAsync(context.CancellationToken);
        var response = new ListExecutionsResponse();
        response.Executions.AddRange(page.Take(pageSize).Select(e => ToMessage(e, names.GetValueOrDefault(e.JobId, string.Empty))));
        if (page.Count > pageSize)
        {
            var last = page[pageSize - 1];
            response.NextPageToken = EncodePageToken(last.StartedAt, last.Id);
        }

        return response;
    }

    public override async Task<TriggerJobResponse> TriggerJob(JobRequest request, ServerCallContext context)
    {
        var (job, definition) = await FindAsync(request.Name, context.CancellationToken);
        if (job.Status == ScheduledJobStatus.Error)
        {
            throw CircuitOpen(job);
        }

        var scheduler = await schedulerFactory.GetScheduler(context.CancellationToken);
        await scheduler.TriggerJob(definition.Key, new JobDataMap { [JobRunner.ManualFiringKey] = "true" }, context.CancellationToken);
        return new TriggerJobResponse { Job = await ToMessageAsync(job, scheduler, context.CancellationToken) };
    }

    public override async Task<Job> PauseJob(JobRequest request, ServerCallContext context) =>
        await ChangeAsync(request.Name, refuseWhenTripped: true, job => job.SetEnabled(false, time.GetUtcNow()),
            (scheduler, key, ct) => scheduler.PauseJob(key, ct), context.CancellationToken);

    public override async Task<Job> ResumeJob(JobRequest request, ServerCallContext context) =>
        await ChangeAsync(request.Name, refuseWhenTripped: true, job => job.SetEnabled(true, time.GetUtcNow()),
            (scheduler, key, ct) => scheduler.ResumeJob(key, ct), context.CancellationToken);

    public override async Task<Job> ResetCircuitBreaker(JobRequest request, ServerCallContext context) =>
        await ChangeAsync(request.Name, refuseWhenTripped: false, job => job.SetEnabled(true, time.GetUtcNow()),
            (scheduler, key, ct) => scheduler.ResumeJob(key, ct), context.CancellationToken);

    private async Task<Job> ChangeAsync(
        string name,
        bool refuseWhenTripped,
        Action<ScheduledJob> change,
        Func<IScheduler, JobKey, CancellationToken, ValueTask<bool>> applyToQuartz,
        CancellationToken cancellationToken)
    {
        var (job, definition) = await FindAsync(name, cancellationToken);
        if (refuseWhenTripped && job.Status == ScheduledJobStatus.Error)
        {
            throw CircuitOpen(job);
        }

        change(job);
        try
        {
            await db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateConcurrencyException)
        {
            throw new RpcException(new Status(StatusCode.Aborted, $"Job '{name}' changed meanwhile (a run finished); read it again and retry."));
        }

        var scheduler = await schedulerFactory.GetScheduler(cancellationToken);
        await applyToQuartz(scheduler, definition.Key, cancellationToken);
        return await ToMessageAsync(job, scheduler, cancellationToken);
    }

    private async Task<(ScheduledJob Job, JobDefinition Definition)> FindAsync(string name, CancellationToken cancellationToken)
    {
        var job = await db.ScheduledJobs.SingleOrDefaultAsync(j => j.Name == name, cancellationToken);
        if (job is null || !catalog.TryGet(name, out var definition))
        {
            throw new RpcException(new Status(StatusCode.NotFound, $"No job named '{name}'."));
        }

        return (job, definition);
    }

    private RpcException CircuitOpen(ScheduledJob job) => new(new Status(StatusCode.FailedPrecondition,
        $"Job '{job.Name}' failed {job.ConsecutiveFailures} times in a row and its circuit breaker is open; reset it first."));

    private async Task<Job> ToMessageAsync(ScheduledJob job, IScheduler scheduler, CancellationToken cancellationToken)
    {
        var message = new Job
        {
            Name = job.Name,
            CronExpression = job.CronExpression ?? string.Empty,
            Status = job.Status switch
            {
                ScheduledJobStatus.Enabled => JobStatus.Enabled,
                ScheduledJobStatus.Disabled => JobStatus.Paused,
                _ => JobStatus.Error,
            },
            LastExecutionStatus = job.LastExecutionStatus is { } last ? ToMessage(last) : ExecutionStatus.Unspecified,
            LastErrorMessage = job.LastErrorMessage ?? string.Empty,
            ExecutionCount = job.ExecutionCount,
            FailureCount = job.FailureCount,
            ConsecutiveFailures = job.ConsecutiveFailures,
            CircuitBreakerThreshold = options.Value.CircuitBreakerThreshold,
        };
        if (job.LastExecutionAt is { } lastAt)
        {
            message.LastExecutionAt = Timestamp.FromDateTimeOffset(lastAt);
        }

        if (job.AverageDurationMs is { } average)
        {
            message.AverageDurationMs = average;
        }

        if (catalog.TryGet(job.Name, out var definition))
        {
            message.Description = definition.Description;
            if (job.Status == ScheduledJobStatus.Enabled && await NextRunAsync(definition, scheduler, cancellationToken) is { } next)
            {
                message.NextRunAt = Timestamp.FromDateTimeOffset(next);
            }
        }

        return message;
    }

    /// <summary>The earliest firing of the job's triggers that the trading-hours guard lets run.</summary>
    private async Task<DateTimeOffset?> NextRunAsync(JobDefinition definition, IScheduler scheduler, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        DateTimeOffset? earliest = null;
        for (var i = 0; i < definition.Schedules.Count; i++)
        {
            if (await scheduler.GetTrigger(definition.TriggerKeyOf(i), cancellationToken) is not { } trigger)
            {
                continue;
            }

            var fire = trigger.GetFireTimeAfter(now);
            for (var n = 0; fire is { } t && n < MaxFiringsToNextRun; n++, fire = trigger.GetFireTimeAfter(t))
            {
                if (tradingHours.Includes(definition.Schedules[i], t))
                {
                    earliest = earliest is null || t < earliest ? t : earliest;
                    break;
                }
            }
        }

        return earliest;
    }

    private static Execution ToMessage(JobExecution execution, string jobName)
    {
        var message = new Execution
        {
            Id = execution.Id.ToString(),
            JobName = jobName,
            Status = ToMessage(execution.Status),
            StartedAt = Timestamp.FromDateTimeOffset(execution.StartedAt),
            ErrorMessage = execution.ErrorMessage ?? string.Empty,
            MetadataJson = execution.Metadata?.RootElement.GetRawText() ?? string.Empty,
            InstanceId = execution.InstanceId ?? string.Empty,
        };
        if (execution.EndedAt is { } endedAt)
        {
            message.EndedAt = Timestamp.FromDateTimeOffset(endedAt);
        }

        if (execution.DurationMs is { } duration)
        {
            message.DurationMs = duration;
        }

        return message;
    }

    private static ExecutionStatus ToMessage(JobExecutionStatus status) => status switch
    {
        JobExecutionStatus.Started => ExecutionStatus.Started,
        JobExecutionStatus.Completed => ExecutionStatus.Completed,
        _ => ExecutionStatus.Failed,
    };

    private static JobExecutionStatus FromMessage(ExecutionStatus status) => status switch
    {
        ExecutionStatus.Started => JobExecutionStatus.Started,
        ExecutionStatus.Completed => JobExecutionStatus.Completed,
        ExecutionStatus.Failed => JobExecutionStatus.Failed,
        _ => throw new RpcException(new Status(StatusCode.InvalidArgument, $"Unknown execution status {status}.")),
    };

    private static string EncodePageToken(DateTimeOffset startedAt, Guid id) =>
        Convert.ToBase64String(Encoding.UTF8.GetBytes(string.Create(CultureInfo.InvariantCulture, $"{startedAt.UtcTicks}:{id:N}")));

    private static (DateTimeOffset StartedAt, Guid Id) DecodePageToken(string token)
    {
        try
        {
            var parts = Encoding.UTF8.GetString(Convert.FromBase64String(token)).Split(':');
            return (new DateTimeOffset(long.Parse(parts[0], CultureInfo.InvariantCulture), TimeSpan.Zero), Guid.ParseExact(parts[1], "N"));
        }
        catch (Exception e) when (e is FormatException or IndexOutOfRangeException or ArgumentOutOfRangeException)
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, "page_token is not a token this service issued."));
        }
    }
}
