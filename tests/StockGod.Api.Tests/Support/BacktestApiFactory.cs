using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using StockGod.Trading.Market;

namespace StockGod.Api.Tests.Support;

/// <summary>The Api with real history as its market data and a runner that heartbeats and polls often.</summary>
public class BacktestApiFactory : ApiFactory
{
    public HoldableHistoricalMarketData History { get; } = new();

    protected override IReadOnlyDictionary<string, string?> Settings => new Dictionary<string, string?>
    {
        ["Backtests:HeartbeatInterval"] = "00:00:00.050",
        ["Backtests:PollInterval"] = "00:00:00.200",
        ["Backtests:LeaseDuration"] = "00:00:30",
    };

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.ConfigureTestServices(services => services.Replace(ServiceDescriptor.Singleton<IMarketDataSource>(History)));
    }
}
