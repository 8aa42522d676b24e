using System.Text.Json;
using StockGod.Trading.Backtesting;
using StockGod.Trading.Brokerage;
using StockGod.Trading.Domain;
using StockGod.Trading.Domain.Backtests;
using StockGod.Trading.Domain.Portfolios;

namespace StockGod.Trading.Tests.Domain;

/// <summary>The lifecycle of an asynchronous backtest run: claims under leases, cancel requests, hand-back, abandonment.</summary>
public sealed class BacktestRunTests
{
    private static readonly DateTimeOffset Now = new(2026, 3, 2, 15, 0, 0, TimeSpan.Zero);
    private static readonly TimeSpan Lease = TimeSpan.FromMinutes(1);

    [Fact]
    public void A_run_under_a_live_lease_cannot_be_claimed_until_the_lease_expires()
    {
        var run = NewRun();
        run.Claim("a", Now, Lease);

        Assert.False(run.IsClaimable(Now + Lease - TimeSpan.FromSeconds(1)));
        Assert.Throws<DomainException>(() => run.Claim("b", Now + TimeSpan.FromSeconds(30), Lease));

        run.Claim("b", Now + Lease, Lease);
        Assert.Equal((BacktestRunStatus.Running, "b", 2), (run.Status, run.LeaseOwner, run.Attempts));
        Assert.False(run.IsHeldBy("a"));
        Assert.Throws<DomainException>(() => run.Complete("a", Now + Lease));
    }

    [Fact]
    public void Cancel_ends_a_queued_run_at_once_asks_a_running_one_and_leaves_a_finished_one()
    {
        var queued = NewRun();
        Assert.Equal(BacktestCancelOutcome.Canceled, queued.RequestCancel(Now));
        Assert.Equal(BacktestRunStatus.Canceled, queued.Status);
        Assert.Equal(Now, queued.FinishedAt);

        var running = NewRun();
        running.Claim("a", Now, Lease);
        Assert.Equal(BacktestCancelOutcome.Requested, running.RequestCancel(Now));
        Assert.Equal((BacktestRunStatus.Running, true), (running.Status, running.CancelRequested));
        running.ConfirmCanceled("a", Now);
        Assert.Equal((BacktestRunStatus.Canceled, null), (running.Status, running.LeaseOwner));

        Assert.Equal(BacktestCancelOutcome.AlreadyFinished, running.RequestCancel(Now));
    }

    [Fact]
    public void A_released_run_is_queued_again_and_an_abandoned_one_honours_a_cancel_request()
    {
        var released = NewRun();
        released.Claim("a", Now, Lease);
        released.Release("a", Now);
        Assert.Equal((BacktestRunStatus.Queued, null, null), (released.Status, released.LeaseOwner, released.LeaseExpiresAt));
        Assert.True(released.IsClaimable(Now));

        var canceledWhileItsRunnerDied = NewRun();
        canceledWhileItsRunnerDied.Claim("a", Now, Lease);
        canceledWhileItsRunnerDied.RequestCancel(Now);
        Assert.Throws<DomainException>(() => canceledWhileItsRunnerDied.Abandon("died", Now));
        canceledWhileItsRunnerDied.Abandon("died", Now + Lease);
        Assert.Equal((BacktestRunStatus.Canceled, null), (canceledWhileItsRunnerDied.Status, canceledWhileItsRunnerDied.Error));

        var keepsDying = NewRun();
        keepsDying.Claim("a", Now, Lease);
        keepsDying.Abandon("died", Now + Lease);
        Assert.Equal((BacktestRunStatus.Failed, "died"), (keepsDying.Status, keepsDying.Error));
    }

    [Fact]
    public void The_engine_settings_are_the_stored_request()
    {
        var run = new BacktestRun(Guid.CreateVersion7(), Guid.CreateVersion7(), "sma_crossover", JsonDocument.Parse("""{"fastPeriod":5}"""), ["msft", "AAPL", "MSFT"],
            new DateOnly(2014, 1, 1), new DateOnly(2015, 1, 1), 50_000m, 5m, new PerShareCommission(0.005m, 1m, 0.01m), BacktestSettings.DefaultLimits, 0.02m, Now);

        var settings = run.ToSettings();

        Assert.Equal(["AAPL", "MSFT"], settings.Universe);
        Assert.Equal("""{"fastPeriod":5}""", settings.ParametersJson);
        Assert.Equal((50_000m, 5m, 0.02m), (settings.InitialCash, settings.SlippageBps, settings.RiskFreeRate));
        Assert.Equal(1m, settings.Commission.CommissionFor(OrderSide.Buy, 10m, 100m));
        Assert.Same(ZeroCommissionModel.Instance, PerShareCommission.Free.ToModel());
    }

    private static BacktestRun NewRun() => new(
        Guid.CreateVersion7(), Guid.CreateVersion7(), "sma_crossover", JsonDocument.Parse("{}"), ["AAPL"], new DateOnly(2014, 1, 1), new DateOnly(2014, 12, 31),
        100_000m, 0m, PerShareCommission.Free, BacktestSettings.DefaultLimits, 0m, Now);
}
