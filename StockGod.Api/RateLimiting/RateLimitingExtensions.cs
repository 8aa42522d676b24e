using System.Globalization;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.RateLimiting;
using StockGod.Api.Identity;
using StockGod.Api.Infrastructure;

namespace StockGod.Api.RateLimiting;

internal static class RateLimitingExtensions
{
    /// <summary>
    /// A global limit per caller (authenticated users by id, anonymous callers by IP) plus named policies for the
    /// expensive or abuse-prone endpoints. Fixed windows, so a refusal can say exactly when to retry.
    /// </summary>
    public static void AddApiRateLimiting(this IHostApplicationBuilder builder)
    {
        var options = builder.Configuration.GetSection(RateLimitOptions.SectionName).Get<RateLimitOptions>() ?? new RateLimitOptions();

        var callerLimits = new CallerRateLimits(options, PartitionedRateLimiter.Create<HttpContext, string>(context =>
        {
            if (context.User.FindUserId() is { } userId)
            {
                return WindowPartition("user:" + userId, options.Authenticated);
            }

            return WindowPartition("ip:" + ClientAddress(context), options.Anonymous);
        }));
        builder.Services.AddSingleton(callerLimits);
        builder.Services.AddRateLimiter(limiter =>
        {
            limiter.GlobalLimiter = callerLimits.Limiter;
            limiter.AddPolicy(RateLimitPolicies.SignIn, context => Partition("ip:" + ClientAddress(context), options.SignIn));
            limiter.AddPolicy(RateLimitPolicies.Portfolios, context => Partition(CallerKey(context), options.Portfolios));
            limiter.AddPolicy(RateLimitPolicies.SymbolSearch, context => Partition(CallerKey(context), options.SymbolSearch));
            limiter.AddPolicy(RateLimitPolicies.Backtests, context => Partition(CallerKey(context), options.Backtests));
            limiter.OnRejected = (context, cancellationToken) => RejectAsync(context, callerLimits, cancellationToken);
        });
    }

    /// <summary>The rate limiter, then the RateLimit headers on every answer it let through.</summary>
    public static void UseApiRateLimiter(this WebApplication app)
    {
        app.UseRateLimiter();
        app.UseMiddleware<RateLimitHeadersMiddleware>();
    }

    private static RateLimitPartition<string> Partition(string key, RateLimitRule rule) =>
        RateLimitPartition.GetFixedWindowLimiter(key, _ => WindowOptions(rule));

    /// <summary>As <see cref="Partition"/>, with the window's reset time observable (the caller's own limit, reported on every answer).</summary>
    private static RateLimitPartition<string> WindowPartition(string key, RateLimitRule rule) =>
        RateLimitPartition.Get(key, _ => new ObservableFixedWindowLimiter(WindowOptions(rule)));

    private static FixedWindowRateLimiterOptions WindowOptions(RateLimitRule rule) => new()
    {
        PermitLimit = rule.PermitLimit,
        Window = rule.Window,
        QueueLimit = 0,
        AutoReplenishment = true,
    };

    private static string CallerKey(HttpContext context) =>
        context.User.FindUserId() is { } userId ? "user:" + userId : "ip:" + ClientAddress(context);

    /// <summary>The client's address after forwarded headers were applied (behind a trusted proxy: the real client).</summary>
    private static string ClientAddress(HttpContext context) => context.Connection.RemoteIpAddress?.ToString() ?? "unknown";

    private static async ValueTask RejectAsync(OnRejectedContext context, CallerRateLimits callerLimits, CancellationToken cancellationToken)
    {
        var response = context.HttpContext.Response;
        // The caller's own window says exactly when it resets; a named policy's lease only says "a whole window".
        var retryAfter = callerLimits.Standing(context.HttpContext) is (0, { } callerReset)
            ? callerReset
            : context.Lease.TryGetMetadata(MetadataName.RetryAfter, out var wait) ? (int)Math.Ceiling(wait.TotalSeconds) : 60;
        response.StatusCode = StatusCodes.Status429TooManyRequests;
        response.Headers.RetryAfter = retryAfter.ToString(CultureInfo.InvariantCulture);
        RateLimitHeaders.Write(response.Headers, callerLimits.RuleThatRefused(context.HttpContext), remaining: 0, resetSeconds: retryAfter);

        var problems = context.HttpContext.RequestServices.GetRequiredService<IProblemDetailsService>();
        await problems.WriteAsync(new ProblemDetailsContext
        {
            HttpContext = context.HttpContext,
            ProblemDetails =
            {
                Status = StatusCodes.Status429TooManyRequests,
                Title = "Too many requests",
                Detail = $"The rate limit was reached; retry after {retryAfter} seconds.",
                Type = ProblemTypes.RateLimited,
            },
        });
    }
}
