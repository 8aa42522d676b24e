using Microsoft.Extensions.Diagnostics.HealthChecks;
using StackExchange.Redis;

namespace StockGod.MarketData.Caching;

/// <summary>
/// Redis as this service sees it: when it is down the service still answers (memory and provider), so the check's
/// failure status is Degraded, not Unhealthy. Registered under Aspire's name, <c>StackExchange.Redis</c>.
/// </summary>
internal sealed class RedisCacheHealthCheck(IConnectionMultiplexer redis, RedisCacheTier tier) : IHealthCheck
{
    public const string Name = "StackExchange.Redis";

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            if (!redis.IsConnected)
            {
                return new HealthCheckResult(context.Registration.FailureStatus, "Redis is not connected; serving from memory and the provider.");
            }

            await redis.GetDatabase().PingAsync().WaitAsync(cancellationToken);
            return tier.IsAvailable
                ? HealthCheckResult.Healthy()
                : new HealthCheckResult(context.Registration.FailureStatus, $"Redis cache tier resting after a failure: {tier.LastError}");
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            return new HealthCheckResult(context.Registration.FailureStatus, "Redis does not answer; serving from memory and the provider.", ex);
        }
    }
}
