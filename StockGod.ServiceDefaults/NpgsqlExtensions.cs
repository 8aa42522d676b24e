using HealthChecks.NpgSql;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Npgsql;
using OpenTelemetry.Metrics;
using OpenTelemetry.Trace;

namespace Microsoft.Extensions.Hosting;

/// <summary>Settings of the PostgreSQL client, bound from <c>Aspire:Npgsql</c> as Aspire.Npgsql does.</summary>
public sealed class NpgsqlSettings
{
    public string? ConnectionString { get; set; }
    public bool DisableHealthChecks { get; set; }
    public bool DisableTracing { get; set; }
    public bool DisableMetrics { get; set; }

    /// <summary>
    /// Npgsql's <c>Max Auto Prepare</c> when the connection string does not set it: statements run often are prepared
    /// on each pooled connection, so PostgreSQL parses and plans them once instead of on every execution.
    /// </summary>
    public int? MaxAutoPrepare { get; set; }
}

/// <summary>
/// The equivalent of Aspire.Npgsql's <c>AddNpgsqlDataSource</c>: same configuration keys, same health check
/// name (<c>PostgreSql</c>), same telemetry source and meter (<c>Npgsql</c>), so the service runs unchanged
/// under a real Aspire AppHost.
/// </summary>
public static class NpgsqlExtensions
{
    private const string DefaultConfigSectionName = "Aspire:Npgsql";

    /// <summary>Whether the connection string itself sets <paramref name="keyword"/> (spaces and case aside).</summary>
    private static bool SetsKeyword(string connectionString, string keyword)
    {
        var parsed = new System.Data.Common.DbConnectionStringBuilder { ConnectionString = connectionString };
        var wanted = keyword.Replace(" ", string.Empty, StringComparison.Ordinal);
        return parsed.Keys.Cast<string>().Any(k => string.Equals(k.Replace(" ", string.Empty, StringComparison.Ordinal), wanted, StringComparison.OrdinalIgnoreCase));
    }

    public static void AddNpgsqlDataSource(
        this IHostApplicationBuilder builder,
        string connectionName,
        Action<NpgsqlSettings>? configureSettings = null,
        Action<NpgsqlDataSourceBuilder>? configureDataSourceBuilder = null)
    {
        ArgumentException.ThrowIfNullOrEmpty(connectionName);

        var settings = new NpgsqlSettings();
        builder.Configuration.GetSection(DefaultConfigSectionName).Bind(settings);
        builder.Configuration.GetSection($"{DefaultConfigSectionName}:{connectionName}").Bind(settings);
        if (builder.Configuration.GetConnectionString(connectionName) is { } connectionString)
        {
            settings.ConnectionString = connectionString;
        }

        configureSettings?.Invoke(settings);

        if (string.IsNullOrWhiteSpace(settings.ConnectionString))
        {
            throw new InvalidOperationException(
                $"ConnectionString is missing. It should be provided in 'ConnectionStrings:{connectionName}' or under the " +
                $"'ConnectionString' key in '{DefaultConfigSectionName}' configuration section.");
        }

        builder.Services.AddNpgsqlDataSource(settings.ConnectionString, dataSourceBuilder =>
        {
            if (settings.MaxAutoPrepare is { } maxAutoPrepare && !SetsKeyword(settings.ConnectionString, "Max Auto Prepare"))
            {
                dataSourceBuilder.ConnectionStringBuilder.MaxAutoPrepare = maxAutoPrepare;
            }

            configureDataSourceBuilder?.Invoke(dataSourceBuilder);
        });

        if (!settings.DisableHealthChecks)
        {
            builder.Services.AddHealthChecks().Add(new Diagnostics.HealthChecks.HealthCheckRegistration(
                "PostgreSql",
                sp => new NpgSqlHealthCheck(new NpgSqlHealthCheckOptions(sp.GetRequiredService<NpgsqlDataSource>())),
                failureStatus: default,
                tags: default,
                timeout: TimeSpan.FromSeconds(5)));
        }

        if (!settings.DisableTracing && Extensions.IsTracingEnabled(builder))
        {
            builder.Services.AddOpenTelemetry().WithTracing(tracing => tracing.AddNpgsql());
        }

        if (!settings.DisableMetrics)
        {
            double[] secondsBuckets = [0, 0.005, 0.01, 0.025, 0.05, 0.075, 0.1, 0.25, 0.5, 0.75, 1, 2.5, 5, 7.5, 10];
            builder.Services.AddOpenTelemetry().WithMetrics(metrics => metrics
                .AddMeter("Npgsql")
                .AddView("db.client.commands.duration", new ExplicitBucketHistogramConfiguration { Boundaries = secondsBuckets })
                .AddView("db.client.connections.create_time", new ExplicitBucketHistogramConfiguration { Boundaries = secondsBuckets }));
        }
    }
}
