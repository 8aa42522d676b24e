using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using StockGod.Testing.FakeAlpaca;
using StockGod.Trading.Brokerage;

namespace StockGod.Trading.Tests.Alpaca;

/// <summary>A service provider wired as a service wires it (<c>AddAlpacaBrokerage</c>), pointed at a fake Alpaca.</summary>
internal sealed class AlpacaTestHost : IDisposable
{
    /// <summary>Monday 2026-01-05 10:00 New York: the market is open.</summary>
    public static readonly DateTimeOffset MarketOpenMonday = new(2026, 1, 5, 15, 0, 0, TimeSpan.Zero);

    private readonly IHost _host;

    private AlpacaTestHost(IHost host) => _host = host;

    public IServiceProvider Services => _host.Services;

    public IBrokerageGateway Paper => _host.Services.GetRequiredKeyedService<IBrokerageGateway>(TradingMode.Paper);

    public FakeLogCollector Logs => _host.Services.GetFakeLogCollector();

    public static AlpacaTestHost Create(
        FakeAlpacaServer alpaca,
        IReadOnlyDictionary<string, string?>? settings = null,
        TimeProvider? time = null,
        bool withServiceDefaults = false,
        bool serviceDefaultsLast = false) =>
        Create(alpaca.ConfigurationFor("Paper"), settings, time, withServiceDefaults, serviceDefaultsLast);

    public static AlpacaTestHost Create(
        IReadOnlyDictionary<string, string?> alpacaConfiguration,
        IReadOnlyDictionary<string, string?>? settings = null,
        TimeProvider? time = null,
        bool withServiceDefaults = false,
        bool serviceDefaultsLast = false)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { DisableDefaults = true, EnvironmentName = "Production" });
        builder.Configuration.AddInMemoryCollection(alpacaConfiguration);
        // Short waits so failure paths stay quick; the behaviour under test does not depend on their length.
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Alpaca:Paper:ReadRetryDelay"] = "00:00:00.010",
            ["Alpaca:Paper:OrderResendDelay"] = "00:00:00.010",
            ["Alpaca:Paper:RequestTimeout"] = "00:00:05",
        });
        if (settings is not null)
        {
            builder.Configuration.AddInMemoryCollection(settings);
        }

        if (time is not null)
        {
            builder.Services.AddSingleton(time);
        }

        builder.Logging.SetMinimumLevel(LogLevel.Trace);
        builder.Logging.AddFakeLogging();
        if (withServiceDefaults && !serviceDefaultsLast)
        {
            builder.AddServiceDefaults();
        }

        builder.AddAlpacaBrokerage();
        if (withServiceDefaults && serviceDefaultsLast)
        {
            builder.AddServiceDefaults();
        }

        return new AlpacaTestHost(builder.Build());
    }

    public void Dispose() => _host.Dispose();
}
