using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;
using OpenTelemetry.Trace;
using StackExchange.Redis;

namespace Microsoft.Extensions.Hosting;

/// <summary>Settings of the Redis client, bound from <c>Aspire:StackExchange:Redis</c> as Aspire.StackExchange.Redis does.</summary>
public sealed class StackExchangeRedisSettings
{
    public string? ConnectionString { get; set; }
    public bool DisableHealthChecks { get; set; }
    public bool DisableTracing { get; set; }

    /// <summary>
    /// What the health check reports while Redis is down: Unhealthy (Aspire's default) for a service that cannot work
    /// without it, Degraded for one that still serves its requests and only loses what Redis carries.
    /// </summary>
    public HealthStatus HealthCheckFailureStatus { get; set; } = HealthStatus.Unhealthy;
}

/// <summary>
/// The equivalent of Aspire.StackExchange.Redis's <c>AddRedisClient</c>: same configuration keys (including the
/// <c>ConfigurationOptions</c> sub-section), same health check name (<c>StackExchange.Redis</c>). The multiplexer is
/// created with <c>AbortOnConnectFail = false</c>, so a service starts while Redis is down and reconnects by itself.
/// </summary>
public static class RedisExtensions
{
    private const string DefaultConfigSectionName = "Aspire:StackExchange:Redis";

    public static void AddRedisClient(
        this IHostApplicationBuilder builder,
        string connectionName,
        Action<StackExchangeRedisSettings>? configureSettings = null,
        Action<ConfigurationOptions>? configureOptions = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(connectionName);

        var settings = new StackExchangeRedisSettings();
        var section = builder.Configuration.GetSection(DefaultConfigSectionName);
        var namedSection = section.GetSection(connectionName);
        section.Bind(settings);
        namedSection.Bind(settings);
        if (builder.Configuration.GetConnectionString(connectionName) is { } connectionString)
        {
            settings.ConnectionString = connectionString;
        }

        configureSettings?.Invoke(settings);

        var options = ConfigurationOptions.Parse(settings.ConnectionString ?? string.Empty);
        if (options.EndPoints.Count == 0)
        {
            throw new InvalidOperationException(
                $"No endpoints specified. Ensure a valid connection string was provided in 'ConnectionStrings:{connectionName}' " +
                $"or for the '{DefaultConfigSectionName}:ConnectionString' configuration key.");
        }

        options.AbortOnConnectFail = false;
        section.GetSection("ConfigurationOptions").Bind(options);
        namedSection.GetSection("ConfigurationOptions").Bind(options);
        configureOptions?.Invoke(options);

        builder.Services.AddSingleton<IConnectionMultiplexer>(sp =>
        {
            options.LoggerFactory ??= sp.GetService<ILoggerFactory>();
            return ConnectionMultiplexer.Connect(options);
        });

        if (!settings.DisableHealthChecks)
        {
            builder.Services.AddHealthChecks().Add(new HealthCheckRegistration(
                "StackExchange.Redis",
                sp => new RedisPingHealthCheck(sp.GetRequiredService<IConnectionMultiplexer>()),
                failureStatus: settings.HealthCheckFailureStatus,
                tags: default,
                timeout: TimeSpan.FromSeconds(5)));
        }

        if (!settings.DisableTracing && Extensions.IsTracingEnabled(builder))
        {
            builder.Services.AddOpenTelemetry().WithTracing(tracing =>
                tracing.AddSource("OpenTelemetry.Instrumentation.StackExchangeRedis"));
        }
    }
}

/// <summary>Healthy when every Redis server the multiplexer knows answers PING.</summary>
internal sealed class RedisPingHealthCheck(IConnectionMultiplexer redis) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            foreach (var endpoint in redis.GetEndPoints(configuredOnly: true))
            {
                var server = redis.GetServer(endpoint);
                if (!server.IsConnected)
                {
                    return new HealthCheckResult(context.Registration.FailureStatus, $"Redis {endpoint} is not connected.");
                }

                await server.PingAsync().WaitAsync(cancellationToken);
            }

            return HealthCheckResult.Healthy();
        }
        catch (Exception ex) when (ex is RedisException or TimeoutException)
        {
            return new HealthCheckResult(context.Registration.FailureStatus, exception: ex);
        }
    }
}
