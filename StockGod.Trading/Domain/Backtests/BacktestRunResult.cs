using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using StockGod.Trading.Backtesting;
using StockGod.Trading.Persistence;

namespace StockGod.Trading.Domain.Backtests;

/// <summary>
/// The stored outcome of a completed <see cref="BacktestRun"/>: the strategy's and the equal-weight benchmark's
/// statistics, equity curves and daily returns (aligned by day), trades and fills. Kept apart from the run so status
/// polls and listings never read the curves.
/// </summary>
public sealed class BacktestRunResult
{
    private BacktestRunResult()
    {
        Statistics = BenchmarkStatistics = null!;
        EquityCurve = BenchmarkEquityCurve = [];
        DailyReturns = BenchmarkDailyReturns = [];
        Trades = [];
        Fills = [];
        UnfilledOrders = MissingSymbols = [];
    }

    public BacktestRunResult(Guid runId, BacktestResult result, DateTimeOffset createdAt)
    {
        ArgumentNullException.ThrowIfNull(result);
        RunId = runId;
        Statistics = result.Strategy.Statistics;
        BenchmarkStatistics = result.Benchmark.Statistics;
        EquityCurve = [.. result.Strategy.EquityCurve];
        BenchmarkEquityCurve = [.. result.Benchmark.EquityCurve];
        DailyReturns = [.. result.Strategy.DailyReturns];
        BenchmarkDailyReturns = [.. result.Benchmark.DailyReturns];
        Trades = [.. result.Strategy.Trades];
        Fills = [.. result.Fills];
        UnfilledOrders = [.. result.UnfilledOrders];
        MissingSymbols = [.. result.MissingSymbols];
        BarsProcessed = result.BarsProcessed;
        CreatedAt = createdAt;
    }

    public Guid RunId { get; private set; }

    public PerformanceStatistics Statistics { get; private set; }

    public PerformanceStatistics BenchmarkStatistics { get; private set; }

    public IReadOnlyList<EquityPoint> EquityCurve { get; private set; }

    public IReadOnlyList<EquityPoint> BenchmarkEquityCurve { get; private set; }

    public IReadOnlyList<decimal> DailyReturns { get; private set; }

    public IReadOnlyList<decimal> BenchmarkDailyReturns { get; private set; }

    public IReadOnlyList<BacktestTrade> Trades { get; private set; }

    public IReadOnlyList<BacktestFill> Fills { get; private set; }

    public IReadOnlyList<string> UnfilledOrders { get; private set; }

    /// <summary>Symbols of the universe without a single bar in the range.</summary>
    public IReadOnlyList<string> MissingSymbols { get; private set; }

    public long BarsProcessed { get; private set; }

    public DateTimeOffset CreatedAt { get; private set; }
}

internal sealed class BacktestRunResultConfiguration : IEntityTypeConfiguration<BacktestRunResult>
{
    public void Configure(EntityTypeBuilder<BacktestRunResult> builder)
    {
        builder.ToTable("backtest_results");
        builder.HasKey(r => r.RunId);
        builder.HasJsonColumn(r => r.Statistics);
        builder.HasJsonColumn(r => r.BenchmarkStatistics);
        builder.HasJsonColumn(r => r.EquityCurve);
        builder.HasJsonColumn(r => r.BenchmarkEquityCurve);
        builder.HasJsonColumn(r => r.DailyReturns);
        builder.HasJsonColumn(r => r.BenchmarkDailyReturns);
        builder.HasJsonColumn(r => r.Trades);
        builder.HasJsonColumn(r => r.Fills);
        builder.HasJsonColumn(r => r.UnfilledOrders);
        builder.HasJsonColumn(r => r.MissingSymbols);
        builder.HasOne<BacktestRun>().WithOne().HasForeignKey<BacktestRunResult>(r => r.RunId).OnDelete(DeleteBehavior.Cascade);
    }
}
