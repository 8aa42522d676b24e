namespace StockGod.Api.Backtests;

/// <summary>The <c>Backtests</c> section: how each Api replica runs queued backtests.</summary>
public sealed class BacktestRunnerOptions
{
    public const string SectionName = "Backtests";

    /// <summary>Backtests one replica runs at once (each takes a core while it simulates).</summary>
    public int MaxConcurrency { get; set; } = 2;

    /// <summary>How often an idle runner looks for work queued by another replica or left by a dead one.</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>How long a claim holds without renewal; a crashed replica's runs are reclaimed after it.</summary>
    public TimeSpan LeaseDuration { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>How often a running backtest renews its lease, saves its progress and checks for a cancel request.</summary>
    public TimeSpan HeartbeatInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Claims after which a run whose runners keep dying is failed rather than retried.</summary>
    public int MaxAttempts { get; set; } = 3;
}
