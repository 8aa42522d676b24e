using StockGod.Trading.Domain.Jobs;

namespace StockGod.Trading.Tests.Domain;

public sealed class ScheduledJobTests
{
    private static readonly DateTimeOffset At = new(2024, 3, 4, 15, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Completed_runs_count_and_feed_the_weighted_moving_average_duration()
    {
        var job = new ScheduledJob(Guid.NewGuid(), "sync-orders", "SyncOrdersJob", "0 * * * * ?", At);

        var first = job.Start(Guid.NewGuid(), At);
        job.Complete(first, At.AddMilliseconds(1000));
        var second = job.Start(Guid.NewGuid(), At.AddMinutes(1));
        job.Complete(second, At.AddMinutes(1).AddMilliseconds(2000));

        Assert.Equal(2, job.ExecutionCount);
        Assert.Equal(0, job.FailureCount);
        Assert.Equal(1000, first.DurationMs);
        Assert.Equal(JobExecutionStatus.Completed, second.Status);
        Assert.Equal((0.3 * 2000) + (0.7 * 1000), job.AverageDurationMs);
    }

    [Fact]
    public void Consecutive_failures_put_the_job_in_error_and_a_success_recovers_it()
    {
        var job = new ScheduledJob(Guid.NewGuid(), "take-snapshots", "SnapshotJob", null, At);

        for (var i = 0; i < 3; i++)
        {
            var run = job.Start(Guid.NewGuid(), At.AddMinutes(i));
            job.Fail(run, At.AddMinutes(i).AddSeconds(1), $"boom {i}", errorThreshold: 3);
            Assert.Equal(i < 2 ? ScheduledJobStatus.Enabled : ScheduledJobStatus.Error, job.Status);
        }

        Assert.Equal(3, job.ConsecutiveFailures);
        Assert.Equal(3, job.FailureCount);
        Assert.Equal("boom 2", job.LastErrorMessage);

        var ok = job.Start(Guid.NewGuid(), At.AddHours(1));
        job.Complete(ok, At.AddHours(1).AddSeconds(1));
        Assert.Equal(ScheduledJobStatus.Enabled, job.Status);
        Assert.Equal(0, job.ConsecutiveFailures);
        Assert.Equal(3, job.FailureCount);
    }

    [Fact]
    public void An_execution_finishes_only_once()
    {
        var job = new ScheduledJob(Guid.NewGuid(), "alerts", "AlertsJob", null, At);
        var run = job.Start(Guid.NewGuid(), At);
        job.Complete(run, At.AddSeconds(1));

        Assert.Throws<StockGod.Trading.Domain.DomainException>(() => job.Fail(run, At.AddSeconds(2), "late"));
    }
}
