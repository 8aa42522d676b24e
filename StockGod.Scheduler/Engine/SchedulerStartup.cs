using Quartz;
using StockGod.Scheduler.Monitoring;
using StockGod.Trading.Calendar;
using StockGod.Trading.Persistence;

namespace StockGod.Scheduler.Engine;

/// <summary>
/// Runs before Quartz starts (registered ahead of its hosted service): applies the migrations (which include the
/// Quartz tables), seeds the scheduled_jobs rows, and stores each job and its triggers in the clustered job store.
/// Every replica does this at start; all of it is idempotent, and a trigger whose cron is unchanged is left as it is,
/// so its next fire time and any operator pause survive a restart.
/// </summary>
internal sealed class SchedulerStartup(
    IServiceScopeFactory scopes,
    ISchedulerFactory schedulerFactory,
    JobCatalog catalog,
    JobExecutionRecorder recorder,
    ILogger<SchedulerStartup> logger) : IHostedService
{
    public async Task StartAsync(CancellationToken cancellationToken)
    {
        await using (var scope = scopes.CreateAsyncScope())
        {
            await TradingDatabaseMigrator.MigrateAsync(scope.ServiceProvider.GetRequiredService<TradingDbContext>(), logger, cancellationToken);
        }

        await recorder.SeedAsync(catalog.All, cancellationToken);
        var scheduler = await schedulerFactory.GetScheduler(cancellationToken);
        foreach (var definition in catalog.All)
        {
            await StoreAsync(scheduler, definition, cancellationToken);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private async Task StoreAsync(IScheduler scheduler, JobDefinition definition, CancellationToken cancellationToken)
    {
        var job = JobBuilder.Create()
            .OfType(definition.JobType)
            .WithIdentity(definition.Key)
            .WithDescription(definition.Description)
            .StoreDurably()
            // A run cut short by a dying replica is redone by the node that recovers it (every job is idempotent).
            .RequestRecovery()
            .Build();
        await scheduler.AddJob(job, AddJobOptions.Replacing, cancellationToken);

        for (var i = 0; i < definition.Schedules.Count; i++)
        {
            var schedule = definition.Schedules[i];
            var key = definition.TriggerKeyOf(i);
            if (await scheduler.GetTrigger(key, cancellationToken) is ICronTrigger existing
                && existing.CronExpressionString == schedule.CronExpression
                && existing.TimeZone.Id == NewYorkTime.Zone.Id
                && existing.MisfireInstruction == schedule.Misfire)
            {
                continue;
            }

            var trigger = TriggerBuilder.Create()
                .WithIdentity(key)
                .ForJob(definition.Key)
                .WithSchedule(CronScheduleBuilder.Create(schedule.CronExpression)
                    .InTimeZone(NewYorkTime.Zone)
                    .WithMisfireInstruction(schedule.Misfire))
                .Build();
            await scheduler.ScheduleJob(trigger, ScheduleJobOptions.Replacing, cancellationToken);
            logger.LogInformation("Scheduled {Job} with {Cron} ({Window})", definition.Name, schedule.CronExpression, schedule.Window);
        }
    }
}
