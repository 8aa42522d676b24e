using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Hosting;
using StockGod.Testing.MarketData;

namespace StockGod.MarketData.Tests.Support;

/// <summary>A consumer of <paramref name="server"/> composed as Api and Scheduler compose one (ServiceDefaults + <c>AddMarketDataClient</c>).</summary>
internal static class MarketDataConsumer
{
    /// <param name="configure">Runs after the defaults are added: settings and services given here win.</param>
    public static WebApplication Create(MarketDataTestHost server, Action<WebApplicationBuilder>? configure = null)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = "Production" });
        // What an Aspire AppHost injects for WithReference(marketdata).
        builder.Configuration["services:marketdata:http:0"] = server.Address.ToString();
        builder.Configuration["MarketData:Client:MaxAttempts"] = "2";
        // The production 5 s deadline is a latency bound, not what these tests check: a first call over a fresh synthetic
        // universe on a loaded CI machine can take longer.
        builder.Configuration["MarketData:Client:Deadline"] = "00:01:00";
        builder.AddServiceDefaults();
        builder.AddMarketDataClient();
        configure?.Invoke(builder);
        return builder.Build();
    }
}
