using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Quartz;
using StockGod.MarketData.Client;
using StockGod.Scheduler.Engine;
using StockGod.Scheduler.Grpc;
using StockGod.Scheduler.Jobs.Alerts;
using StockGod.Scheduler.Jobs.Orders;
using StockGod.Scheduler.Jobs.Positions;
using StockGod.Scheduler.Jobs.Prices;
using StockGod.Scheduler.Jobs.Retention;
using StockGod.Scheduler.Jobs.Screening;
using StockGod.Scheduler.Jobs.Snapshots;
using StockGod.Scheduler.Jobs.Strategies;
using StockGod.Scheduler.Monitoring;
using StockGod.Trading.Calendar;
using StockGod.Trading.Events;
using StockGod.Trading.Execution;
using StockGod.Trading.Persistence;
using StockGod.Trading.Strategies;

namespace StockGod.Scheduler.Extensions;

internal static class Extensions
{
    public static void AddApplicationServices(this IHostApplicationBuilder builder)
    {
        builder.AddTradingDatabase("stockgod");
        // Redis only carries the jobs' event notifications (published best-effort): the jobs run without it.
        builder.AddRedisClient("redis", settings => settings.HealthCheckFailureStatus = HealthStatus.Degraded);
        builder.AddMarketDataClient();
        builder.AddSchedulerEngine(JobCatalog.Configured(builder.Configuration));
        builder.AddScreeningWorker();

        // After the engine, so the calendar it chose (NYSE or always open) is the one the simulated exchange uses too.
        builder.AddBrokerage();
        builder.Services.AddOrderExecution();
        builder.Services.AddGrpc(options => options.Interceptors.Add<DatabaseUnavailableInterceptor>());
    }

    /// <summary>
    /// The clustered Quartz engine over PostgreSQL (connection string <c>stockgod</c>), the monitoring around every run,
    /// and the given jobs. The market calendar is NYSE's unless <c>SimulatedExchange:AlwaysOpen</c> is set. Runs and
    /// the jobs' changes are published as trading events over Redis (needs <c>AddRedisClient</c>).
    /// </summary>
    public static void AddSchedulerEngine(this IHostApplicationBuilder builder, IReadOnlyList<JobDefinition> jobs)
    {
        var services = builder.Services;
        services.AddOptions<SchedulerOptions>().BindConfiguration(SchedulerOptions.SectionName);
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<IMarketCalendar>(
            builder.Configuration.GetValue<bool>("SimulatedExchange:AlwaysOpen") ? AlwaysOpenCalendar.Instance : NyseCalendar.Instance);

        services.AddSingleton(new JobCatalog(jobs));
        services.AddSingleton<TradingHours>();
        services.AddSingleton<SchedulerMetrics>();
        services.AddSingleton<JobExecutionRecorder>();
        services.AddSingleton<JobRunner>();
        services.AddTradingEventPublisher();
        services.AddScoped<PriceUpdateService>();
        services.AddScoped<PortfolioSnapshotService>();
        services.AddScoped<AlertPriceCheckService>();
        services.AddScoped<OrderStatusCheckService>();
        services.AddScoped<RetentionService>();
        services.AddStrategyExecution();
        services.AddScoped<PositionSyncService>();

        // Jobs that work on many portfolios at once give each its own short-lived context from this pool.
        services.TryAddSingleton<IDbContextFactory<TradingDbContext>>(sp =>
            new PooledDbContextFactory<TradingDbContext>(sp.GetRequiredService<DbContextOptions<TradingDbContext>>()));
        foreach (var job in jobs)
        {
            services.TryAddScoped(job.JobType);
        }

        var connectionString = builder.Configuration.GetConnectionString("stockgod")
            ?? throw new InvalidOperationException("The Scheduler needs the connection string ConnectionStrings:stockgod.");
        var clusterCheckin = builder.Configuration.GetSection(SchedulerOptions.SectionName).Get<SchedulerOptions>()?.ClusterCheckinInterval
            ?? new SchedulerOptions().ClusterCheckinInterval;
        services.AddQuartz(quartz =>
        {
            quartz.ConfigureScheduler(scheduler =>
            {
                scheduler.InstanceName = "StockGod.Scheduler";
                scheduler.GenerateInstanceId = true;
            });
            quartz.UsePersistentStore(store =>
            {
                store.UsePostgres(connectionString);
                store.UseClustering(cluster => cluster.CheckinInterval = clusterCheckin);
                store.UseSystemTextJsonSerializer();
            });
            quartz.AddTriggerListener<MisfireListener>();
        });

        // Order matters: hosted services start in registration order, and the database must be migrated and the jobs
        // stored before Quartz starts acquiring triggers.
        services.AddHostedService<SchedulerStartup>();
        services.AddQuartzHostedService(options => options.WaitForJobsToComplete = true);
        services.AddSingleton<AbandonedExecutionSweeper>();
        services.AddHostedService(sp => sp.GetRequiredService<AbandonedExecutionSweeper>());
    }

    /// <summary>strategy_execution's services; needs order execution (AddOrderExecution) and an ITradingEventPublisher.</summary>
    public static IServiceCollection AddStrategyExecution(this IServiceCollection services)
    {
        services.AddOptions<StrategyExecutionOptions>().BindConfiguration(StrategyExecutionOptions.SectionName);
        services.TryAddSingleton(StrategyRegistry.Default);
        services.AddSingleton<StrategyBatchEvaluator>();
        services.AddScoped<StrategyExecutionService>();
        services.AddScoped<PortfolioStrategyTrader>();
        return services;
    }
}
