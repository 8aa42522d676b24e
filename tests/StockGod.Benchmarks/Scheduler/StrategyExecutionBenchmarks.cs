extern alias SchedulerService;

using System.Collections.Immutable;
using System.Globalization;
using System.Text.Json;
using BenchmarkDotNet.Attributes;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using SchedulerService::StockGod.Scheduler.Extensions;
using SchedulerService::StockGod.Scheduler.Jobs.Strategies;
using SchedulerService::StockGod.Scheduler.Monitoring;
using StockGod.Testing;
using StockGod.Trading.Brokerage;
using StockGod.Trading.Calendar;
using StockGod.Trading.Domain.Portfolios;
using StockGod.Trading.Domain.Strategies;
using StockGod.Trading.Domain.Users;
using StockGod.Trading.Events;
using StockGod.Trading.Execution;
using StockGod.Trading.Market;
using StockGod.Trading.Persistence;
using StockGod.Trading.Risk;
using StockGod.Trading.Strategies;

namespace StockGod.Benchmarks.Scheduler;

/// <summary>
/// One strategy_execution firing for 1,000 portfolios, each with one enabled strategy on 20 symbols drawn from the
/// real S&amp;P 500 file (a seeded mix of the four built-in strategies with a few parameter sets each), on the
/// simulated exchange, composed as the Scheduler composes it (PostgreSQL, the Redis event publisher). The firing is
/// the first session after the data ends, 10:00 New York, with quotes at the last close. Before each iteration the
/// orders, fills, signals, notifications, positions and simulated accounts are wiped and cash restored, so every
/// measured firing is the first of its day: every signal that passes the risk checks is ordered, filled and booked.
/// </summary>
[Config(typeof(ShortInProcessConfig))]
public class StrategyExecutionBenchmarks
{
    private const int Portfolios = 1_000;
    private const int SymbolsPerStrategy = 20;

    private IHost _host = null!;

    /// <summary>StrategyExecution:MaxParallelPortfolios: portfolios traded at the same time (the default is 8).</summary>
    [Params(4, 8)]
    public int MaxParallelPortfolios { get; set; } = 8;

    private DateTimeOffset _fireTime;

    /// <summary>What the last measured firing did (printed after the run for docs/benchmarks.md).</summary>
    private IReadOnlyDictionary<string, long> _lastCounters = new Dictionary<string, long>();

    [GlobalSetup]
    public async Task SetupAsync()
    {
        var history = DailyBarCsvReader.ReadFile(SharedData.RequirePath(SharedData.DailyBarsFile));
        var lastDate = history.BarsBySymbol.Values.Max(b => DateOnly.FromDateTime(b[^1].Timestamp.UtcDateTime));
        var session = NyseCalendar.Instance.TradingDays(lastDate.AddDays(1), lastDate.AddDays(10)).First();
        _fireTime = NewYorkTime.At(session.Date, new TimeOnly(10, 0)).ToUniversalTime();

        var connectionString = await TestServers.CreateDatabaseAsync("bench_strategy_execution");
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true });
        builder.Configuration["ConnectionStrings:stockgod"] = connectionString;
        builder.Configuration["ConnectionStrings:redis"] = await TestServers.RedisAsync();
        builder.Configuration["StrategyExecution:MaxParallelPortfolios"] = MaxParallelPortfolios.ToString(CultureInfo.InvariantCulture);
        builder.Services.AddLogging(logging => logging.AddConsole().SetMinimumLevel(LogLevel.Error));
        builder.Services.AddSingleton<TimeProvider>(new FixedClock(_fireTime.AddSeconds(2)));
        builder.Services.AddSingleton<IMarketCalendar>(NyseCalendar.Instance);
        builder.Services.AddSingleton<IMarketDataSource>(new HistoryMarketData(history.BarsBySymbol));
        builder.AddTradingDatabase();
        builder.AddRedisClient("redis");
        builder.AddBrokerage();
        builder.Services.AddOrderExecution();
        builder.Services.AddTradingEventPublisher();
        builder.Services.AddStrategyExecution();
        _host = builder.Build();

        await using var scope = _host.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<TradingDbContext>();
        await TradingDatabaseMigrator.MigrateAsync(db, NullLogger.Instance);
        Seed(db, [.. history.BarsBySymbol.Keys.Order(StringComparer.Ordinal)]);
        await db.SaveChangesAsync();
    }

    [IterationSetup]
    public void WipeTheDay() => WipeAsync().GetAwaiter().GetResult();

    [Benchmark(Description = "strategy_execution, 1,000 portfolios x 20 symbols, first firing of the day")]
    public async Task<long> ExecuteFiring()
    {
        await using var scope = _host.Services.CreateAsyncScope();
        var counters = new JobCounters();
        await scope.ServiceProvider.GetRequiredService<StrategyExecutionService>().ExecuteAsync(_fireTime, counters, CancellationToken.None);
        _lastCounters = counters.Snapshot();
        return counters["orders_placed"];
    }

    [GlobalCleanup]
    public void Cleanup()
    {
        Console.WriteLine("// last firing: " + string.Join(", ", _lastCounters.Where(c => c.Value != 0).Select(c => $"{c.Key}={c.Value}")));
        _host.Dispose();
    }

    private async Task WipeAsync()
    {
        await using var scope = _host.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<TradingDbContext>();
        await db.Database.ExecuteSqlRawAsync(
            """
            TRUNCATE fills, orders, signals, notifications, positions, sim_orders, sim_positions, sim_accounts;
            UPDATE portfolios SET cash = starting_cash, realized_profit_loss = 0, total_commissions = 0;
            UPDATE strategies SET last_evaluated_at = NULL;
            """);
    }

    private void Seed(TradingDbContext db, IReadOnlyList<string> symbols)
    {
        // Seeded so every run trades the same book; parameter sets repeat as users' choices do (defaults are common).
        var random = new Random(20_180_208);
        string[] parameterSets =
        [
            """{"fastPeriod":10,"slowPeriod":30}""", """{"fastPeriod":5,"slowPeriod":20}""", """{"fastPeriod":20,"slowPeriod":50}""",
            """{"period":14,"oversold":30,"overbought":70}""", """{"period":7,"oversold":25,"overbought":75}""",
            """{"entryPeriod":20,"exitPeriod":10}""", """{"entryPeriod":55,"exitPeriod":20}""",
            """{"lookbackDays":60,"topN":5}""",
        ];
        string[] types =
        [
            SmaCrossoverStrategy.Name, SmaCrossoverStrategy.Name, SmaCrossoverStrategy.Name,
            RsiMeanReversionStrategy.Name, RsiMeanReversionStrategy.Name,
            DonchianBreakoutStrategy.Name, DonchianBreakoutStrategy.Name,
            MomentumRotationStrategy.Name,
        ];
        var at = _fireTime.AddDays(-30);
        var limits = new RiskLimits(0.10m, 25_000m, 0.05m, 20);
        for (var i = 0; i < Portfolios; i++)
        {
            var user = new User(Guid.CreateVersion7(), string.Create(CultureInfo.InvariantCulture, $"bench{i}@example.com"), "Bench", at);
            var portfolio = new Portfolio(Guid.CreateVersion7(), user.Id, "Bench", TradingMode.Simulated, 100_000m, at);
            var set = random.Next(parameterSets.Length);
            var universe = symbols.OrderBy(_ => random.Next()).Take(SymbolsPerStrategy);
            var strategy = new StrategyDefinition(
                Guid.CreateVersion7(), portfolio.Id, "Bench", types[set], JsonDocument.Parse(parameterSets[set]), universe, limits, at);
            strategy.SetEnabled(true, at);
            db.Users.Add(user);
            db.Portfolios.Add(portfolio);
            db.Strategies.Add(strategy);
        }
    }

    /// <summary>The real daily bars as MarketData would serve them; quotes at the last close.</summary>
    private sealed class HistoryMarketData(IReadOnlyDictionary<string, ImmutableArray<Bar>> bars) : IMarketDataSource
    {
        public Task<IReadOnlyDictionary<string, Quote>> GetQuotesAsync(IReadOnlyCollection<string> symbols, CancellationToken cancellationToken = default) =>
            Task.FromResult<IReadOnlyDictionary<string, Quote>>(symbols.Where(bars.ContainsKey).Distinct().ToDictionary(
                s => s,
                s =>
                {
                    var close = bars[s][^1].Close;
                    return new Quote(s, close - 0.01m, 100, close + 0.01m, 100, close, bars[s][^1].Timestamp, "history");
                },
                StringComparer.Ordinal));

        public Task<IReadOnlyDictionary<string, IReadOnlyList<Bar>>> GetBarsAsync(
            IReadOnlyCollection<string> symbols, BarTimeframe timeframe, DateTimeOffset start, DateTimeOffset end, CancellationToken cancellationToken = default) =>
            Task.FromResult<IReadOnlyDictionary<string, IReadOnlyList<Bar>>>(symbols.Where(bars.ContainsKey).Distinct().ToDictionary(
                s => s,
                s => (IReadOnlyList<Bar>)[.. bars[s].Where(b => b.Timestamp >= start && b.Timestamp < end)],
                StringComparer.Ordinal));
    }

    private sealed class FixedClock(DateTimeOffset now) : TimeProvider
    {
        public override DateTimeOffset GetUtcNow() => now;
    }
}
