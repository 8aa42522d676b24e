using System.Diagnostics;
using System.Globalization;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.RateLimiting;
using StockGod.Api.Identity;

namespace StockGod.Api.RateLimiting;

/// <summary>
/// The IETF draft's RateLimit headers (draft-ietf-httpapi-ratelimit-headers): <c>RateLimit-Limit</c>,
/// <c>RateLimit-Remaining</c>, <c>RateLimit-Reset</c> (seconds) and <c>RateLimit-Policy</c> (<c>limit;w=window</c>).
/// </summary>
internal static class RateLimitHeaders
{
    public const string Limit = "RateLimit-Limit";
    public const string Remaining = "RateLimit-Remaining";
    public const string Reset = "RateLimit-Reset";
    public const string Policy = "RateLimit-Policy";

    public static void Write(IHeaderDictionary headers, RateLimitRule rule, long remaining, int? resetSeconds)
    {
        headers[Limit] = rule.PermitLimit.ToString(CultureInfo.InvariantCulture);
        headers[Remaining] = Math.Max(remaining, 0).ToString(CultureInfo.InvariantCulture);
        if (resetSeconds is { } reset)
        {
            headers[Reset] = reset.ToString(CultureInfo.InvariantCulture);
        }

        headers[Policy] = $"{rule.PermitLimit};w={(int)rule.Window.TotalSeconds}";
    }
}

/// <summary>The per-caller limiter every request passes (the global limiter), kept so its state can be reported.</summary>
internal sealed class CallerRateLimits(RateLimitOptions options, PartitionedRateLimiter<HttpContext> limiter)
{
    public PartitionedRateLimiter<HttpContext> Limiter { get; } = limiter;

    public RateLimitRule RuleOf(HttpContext context) => context.User.FindUserId() is null ? options.Anonymous : options.Authenticated;

    public long AvailablePermits(HttpContext context) => Limiter.GetStatistics(context)?.CurrentAvailablePermits ?? 0;

    /// <summary>The caller's remaining permits and whole seconds until its window resets (null if not observable).</summary>
    public (long Remaining, int? ResetSeconds) Standing(HttpContext context) => Limiter.GetStatistics(context) switch
    {
        WindowStatistics window => (window.CurrentAvailablePermits, (int)Math.Ceiling(window.ResetAfter.TotalSeconds)),
        { } statistics => (statistics.CurrentAvailablePermits, null),
        null => (0, null),
    };

    /// <summary>
    /// Which rule refused a request: the caller's own while its window is spent, otherwise the endpoint's named policy.
    /// </summary>
    public RateLimitRule RuleThatRefused(HttpContext context)
    {
        if (AvailablePermits(context) > 0 && NamedPolicy(context) is { } policy && RuleOfPolicy(policy) is { } rule)
        {
            return rule;
        }

        return RuleOf(context);
    }

    public static string? NamedPolicy(HttpContext context) => context.GetEndpoint()?.Metadata.GetMetadata<EnableRateLimitingAttribute>()?.PolicyName;

    private RateLimitRule? RuleOfPolicy(string policy) => policy switch
    {
        RateLimitPolicies.SignIn => options.SignIn,
        RateLimitPolicies.Portfolios => options.Portfolios,
        RateLimitPolicies.SymbolSearch => options.SymbolSearch,
        RateLimitPolicies.Backtests => options.Backtests,
        _ => null,
    };
}

/// <summary>
/// On answers the limiter let through, the caller's standing against the per-caller limit, with the seconds until its
/// window resets. Endpoints with a stricter named policy get no headers on success: that policy's count is not
/// observable, and reporting the looser one would mislead; their 429 says which limit was hit.
/// </summary>
internal sealed class RateLimitHeadersMiddleware(RequestDelegate next, CallerRateLimits limits)
{
    public Task InvokeAsync(HttpContext context)
    {
        if (context.GetEndpoint()?.Metadata.GetMetadata<DisableRateLimitingAttribute>() is null && CallerRateLimits.NamedPolicy(context) is null)
        {
            var (remaining, reset) = limits.Standing(context);
            context.Response.OnStarting(() =>
            {
                if (context.Response.StatusCode != StatusCodes.Status429TooManyRequests)
                {
                    RateLimitHeaders.Write(context.Response.Headers, limits.RuleOf(context), remaining, reset);
                }

                return Task.CompletedTask;
            });
        }

        return next(context);
    }
}

/// <summary>Statistics of a fixed window that also say when the window resets.</summary>
internal sealed class WindowStatistics : RateLimiterStatistics
{
    public TimeSpan ResetAfter { get; init; }
}

/// <summary>
/// A <see cref="FixedWindowRateLimiter"/> whose reset time can be read. With automatic replenishment the window
/// restarts on a timer every <see cref="FixedWindowRateLimiterOptions.Window"/> from the limiter's creation, so the
/// time to the next reset follows from when it was created; <see cref="GetStatistics"/> reports it.
/// </summary>
internal sealed class ObservableFixedWindowLimiter(FixedWindowRateLimiterOptions options) : RateLimiter
{
    private readonly FixedWindowRateLimiter _inner = new(options);
    private readonly long _createdAt = Stopwatch.GetTimestamp();

    public override TimeSpan? IdleDuration => _inner.IdleDuration;

    public TimeSpan ResetAfter => options.Window - TimeSpan.FromTicks(Stopwatch.GetElapsedTime(_createdAt).Ticks % options.Window.Ticks);

    public override RateLimiterStatistics? GetStatistics() => _inner.GetStatistics() is { } statistics
        ? new WindowStatistics
        {
            CurrentAvailablePermits = statistics.CurrentAvailablePermits,
            CurrentQueuedCount = statistics.CurrentQueuedCount,
            TotalFailedLeases = statistics.TotalFailedLeases,
            TotalSuccessfulLeases = statistics.TotalSuccessfulLeases,
            ResetAfter = ResetAfter,
        }
        : null;

    protected override RateLimitLease AttemptAcquireCore(int permitCount) => _inner.AttemptAcquire(permitCount);

    protected override ValueTask<RateLimitLease> AcquireAsyncCore(int permitCount, CancellationToken cancellationToken) =>
        _inner.AcquireAsync(permitCount, cancellationToken);

    protected override void Dispose(bool disposing)
    {
        if (disposing)
        {
            _inner.Dispose();
        }

        base.Dispose(disposing);
    }

    protected override async ValueTask DisposeAsyncCore()
    {
        await _inner.DisposeAsync();
        await base.DisposeAsyncCore();
    }
}
