using StockGod.Api.Identity;

namespace StockGod.Api.Portfolios;

public static class PortfolioReadCacheExtensions
{
    /// <summary>The portfolio GET's read cache and, unless <c>Api:PortfolioReadCache:Enabled</c> is false, its listener (which alone turns it on).</summary>
    public static IHostApplicationBuilder AddPortfolioReadCache(this IHostApplicationBuilder builder)
    {
        var section = builder.Configuration.GetSection(PortfolioReadCacheOptions.SectionName);
        builder.Services.Configure<PortfolioReadCacheOptions>(section);
        builder.Services.AddSingleton<PortfolioReadCache>();
        if (section.GetValue(nameof(PortfolioReadCacheOptions.Enabled), true))
        {
            builder.Services.AddSingleton<PortfolioChangeListener>();
            builder.Services.AddHostedService(sp => sp.GetRequiredService<PortfolioChangeListener>());
        }

        return builder;
    }
}

/// <summary>
/// Read-your-writes on this replica: an unsafe request (anything but GET, HEAD, OPTIONS) of an authenticated user makes
/// their cached portfolio answers misses when it starts and again before its response starts (after its handler
/// committed), so the user's next GET shows what the request changed even before PostgreSQL's notification arrives.
/// </summary>
internal sealed class PortfolioWriteInvalidationMiddleware(RequestDelegate next, PortfolioReadCache cache)
{
    public Task InvokeAsync(HttpContext context)
    {
        var method = context.Request.Method;
        if (HttpMethods.IsGet(method) || HttpMethods.IsHead(method) || HttpMethods.IsOptions(method) || context.User.FindUserId() is not { } userId)
        {
            return next(context);
        }

        return InvalidateAroundAsync(context, userId);
    }

    private async Task InvalidateAroundAsync(HttpContext context, Guid userId)
    {
        cache.InvalidateUser(userId);
        context.Response.OnStarting(static state =>
        {
            var (cache, userId) = ((PortfolioReadCache, Guid))state;
            cache.InvalidateUser(userId);
            return Task.CompletedTask;
        }, (cache, userId));
        try
        {
            await next(context);
        }
        finally
        {
            // Also when the response had already started, or never starts here (an exception answered further out).
            cache.InvalidateUser(userId);
        }
    }
}
