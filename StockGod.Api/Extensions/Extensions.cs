using System.Diagnostics;
using System.Net;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Scalar.AspNetCore;
using StockGod.Api.Apis;
using StockGod.Api.Backtests;
using StockGod.Api.Identity;
using StockGod.Api.Idempotency;
using StockGod.Api.Portfolios;
using StockGod.Api.Infrastructure;
using StockGod.Api.Market;
using StockGod.Api.RateLimiting;
using StockGod.Api.Realtime;
using StockGod.Scheduler.Client;
using StockGod.Trading.Execution;
using StockGod.Trading.Persistence;
using StockGod.Trading.Screening.Distributed;
using StockGod.Trading.Strategies;

namespace StockGod.Api.Extensions;

internal static class Extensions
{
    public static void AddApplicationServices(this IHostApplicationBuilder builder)
    {
        var services = builder.Services;
        builder.AddTradingDatabase("stockgod");
        // Redis carries only real-time delivery (event relay, SignalR backplane): without it the REST Api still works.
        builder.AddRedisClient("redis", settings => settings.HealthCheckFailureStatus = HealthStatus.Degraded);
        builder.AddMarketDataClient();
        builder.AddJobControlClient();
        services.AddHostedService<TradingDatabaseMigrationService>();
        // After the migrations (hosted services start in order): the listener starts once the triggers exist.
        builder.AddPortfolioReadCache();
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton<TradingModeAvailability>();
        services.Configure<SymbolDirectoryOptions>(builder.Configuration.GetSection(SymbolDirectoryOptions.SectionName));
        services.AddSingleton<SymbolDirectory>();
        builder.AddBrokerage();
        services.AddOrderExecution();
        builder.AddScreeningRuns();
        builder.AddBacktesting();
        services.AddSingleton(StrategyRegistry.Default);
        services.AddSingleton<StrategyBatchEvaluator>();

        services.Configure<ApiOptions>(builder.Configuration.GetSection(ApiOptions.SectionName));
        services.Configure<IdentityBootstrapOptions>(builder.Configuration.GetSection(IdentityBootstrapOptions.SectionName));

        services.ConfigureHttpJsonOptions(options =>
        {
            options.SerializerOptions.PropertyNamingPolicy = System.Text.Json.JsonNamingPolicy.SnakeCaseLower;
            options.SerializerOptions.Converters.Add(new DecimalStringJsonConverter());
            options.SerializerOptions.TypeInfoResolverChain.Insert(0, ApiJsonContext.Default);
        });

        // Malformed input throws even outside Development, so the exception handler can answer a 400 ProblemDetails
        // that says what was wrong instead of an empty 400.
        services.Configure<RouteHandlerOptions>(options => options.ThrowOnBadRequest = true);
        // Registered before AddProblemDetails' default writer, which declines requests that accept no JSON.
        services.AddSingleton<IProblemDetailsWriter, ProblemJsonWriter>();
        services.AddProblemDetails(options => options.CustomizeProblemDetails = context =>
        {
            var problem = context.ProblemDetails;
            if (problem.Type is null || problem.Type.StartsWith("https://tools.ietf.org/", StringComparison.Ordinal))
            {
                problem.Type = ProblemTypes.ForStatus(problem.Status ?? context.HttpContext.Response.StatusCode);
            }

            problem.Instance ??= context.HttpContext.Request.Path;
            problem.Extensions["traceId"] = Activity.Current?.Id ?? context.HttpContext.TraceIdentifier;
        });
        services.AddExceptionHandler<ApiExceptionHandler>();

        services.AddOpenApi(options => options.AddSchemaTransformer<DecimalStringSchemaTransformer>());

        // The backplane gets its own connection (it disposes it on shutdown); same server as the Redis client.
        // AbortOnConnectFail off: an Api started while Redis is down connects when it comes back instead of never.
        services.AddSignalR().AddStackExchangeRedis(builder.Configuration.GetConnectionString("redis") ?? string.Empty, options =>
        {
            options.Configuration.ChannelPrefix = StackExchange.Redis.RedisChannel.Literal("stockgod:signalr");
            options.Configuration.AbortOnConnectFail = false;
        });
        services.AddHostedService<TradingEventRelay>();
        builder.AddRealtimePrices();

        builder.AddApiAuthentication();
        builder.AddApiRateLimiting();

        var corsOrigins = builder.Configuration.GetSection($"{ApiOptions.SectionName}:CorsOrigins").Get<string[]>() ?? [];
        services.AddCors(options => options.AddDefaultPolicy(policy => policy
            .WithOrigins(corsOrigins)
            .WithMethods("GET", "POST", "PUT", "PATCH", "DELETE")
            .WithHeaders("Authorization", "Content-Type", "Idempotency-Key", ApiKeyAuthenticationHandler.HeaderName)
            .WithExposedHeaders("Location", "Retry-After", RateLimitHeaders.Limit, RateLimitHeaders.Remaining, RateLimitHeaders.Reset, RateLimitHeaders.Policy)
            .AllowCredentials()));

        services.Configure<ForwardedHeadersOptions>(options =>
        {
            options.ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto;
            foreach (var proxy in builder.Configuration.GetSection("ForwardedHeaders:KnownProxies").Get<string[]>() ?? [])
            {
                options.KnownProxies.Add(IPAddress.Parse(proxy));
            }

            foreach (var network in builder.Configuration.GetSection("ForwardedHeaders:KnownNetworks").Get<string[]>() ?? [])
            {
                options.KnownIPNetworks.Add(System.Net.IPNetwork.Parse(network));
            }
        });
    }

    /// <summary>The middleware, in the order that matters: proxies, errors, headers, limits, CORS, identity (and the user's writes invalidating their cached portfolios), rate limits.</summary>
    public static void UseApiMiddleware(this WebApplication app)
    {
        app.UseForwardedHeaders();
        app.UseExceptionHandler();
        app.UseStatusCodePages();
        if (!app.Environment.IsDevelopment())
        {
            app.UseHsts();
        }

        app.UseMiddleware<SecurityHeadersMiddleware>();
        app.UseMiddleware<RequestBodyLimitMiddleware>();
        app.UseCors();
        app.UseAuthentication();
        app.UseMiddleware<PortfolioWriteInvalidationMiddleware>();
        app.UseAuthorization();
        app.UseApiRateLimiter();
        app.UseMiddleware<IdempotencyMiddleware>();
    }

    public static void MapApiDocumentation(this WebApplication app)
    {
        app.MapOpenApi();
        if (app.Environment.IsDevelopment())
        {
            app.MapScalarApiReference();
        }
    }
}
