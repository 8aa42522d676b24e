namespace StockGod.Api.RateLimiting;

/// <summary>Requests per window of one partition (a user, or an IP address when anonymous).</summary>
public sealed class RateLimitRule
{
    public int PermitLimit { get; set; }

    public TimeSpan Window { get; set; } = TimeSpan.FromMinutes(1);
}

/// <summary>The <c>RateLimiting</c> section; every rule can be changed by configuration.</summary>
public sealed class RateLimitOptions
{
    public const string SectionName = "RateLimiting";

    public RateLimitRule Anonymous { get; set; } = new() { PermitLimit = 10 };

    public RateLimitRule Authenticated { get; set; } = new() { PermitLimit = 100 };

    public RateLimitRule SignIn { get; set; } = new() { PermitLimit = 5 };

    public RateLimitRule Portfolios { get; set; } = new() { PermitLimit = 60 };

    public RateLimitRule SymbolSearch { get; set; } = new() { PermitLimit = 20 };

    /// <summary>Backtest submissions: each takes a core for seconds, so 5 per 10 minutes per user.</summary>
    public RateLimitRule Backtests { get; set; } = new() { PermitLimit = 5, Window = TimeSpan.FromMinutes(10) };
}

public static class RateLimitPolicies
{
    public const string SignIn = "sign-in";
    public const string Portfolios = "portfolios";
    public const string SymbolSearch = "symbol-search";
    public const string Backtests = "backtests";
}
