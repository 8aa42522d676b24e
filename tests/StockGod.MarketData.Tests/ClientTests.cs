using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Testing;
using StockGod.MarketData.Client;
using StockGod.MarketData.Tests.Support;
using StockGod.Testing.MarketData;
using StockGod.Testing;
using StockGod.Trading.Market;

namespace StockGod.MarketData.Tests;

/// <summary>The consumer side (the linked Client files, as Api and Scheduler compile them) against a running MarketData.</summary>
public sealed class ClientTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task GrpcMarketDataSource_round_trips_quotes_and_bars_through_service_discovery_and_the_health_check_passes()
    {
        await using var server = await MarketDataTestHost.StartAsync(await TestServers.RedisAsync());
        await using var consumer = MarketDataConsumer.Create(server);
        var source = consumer.Services.GetRequiredService<IMarketDataSource>();
        var now = server.Time.GetUtcNow();

        var quotes = await source.GetQuotesAsync(["AAPL", "BRK.B", "NOPE"], Ct);
        var none = await source.GetQuotesAsync(["NOPE"], Ct);
        var bars = await source.GetBarsAsync(["SPY", "MSFT"], BarTimeframe.Minute1, now.AddDays(-20), now, Ct);
        var health = await consumer.Services.GetRequiredService<HealthCheckService>().CheckHealthAsync(Ct);

        Assert.IsType<GrpcMarketDataSource>(source);
        Assert.Equal(["AAPL", "BRK.B"], quotes.Keys.Order());
        Assert.Empty(none);
        var served = await server.Client.GetQuotesAsync(new V1.GetQuotesRequest { Symbols = { "AAPL" } }, cancellationToken: Ct);
        Assert.Equal((decimal)served.Quotes[0].LastPrice, quotes["AAPL"].LastPrice);
        Assert.Equal("synthetic", quotes["AAPL"].Source);
        // Twenty days of minute bars for two symbols need several 10,000-bar pages.
        Assert.True(bars["SPY"].Count > 5_000, $"{bars["SPY"].Count} bars");
        Assert.Equal(bars["SPY"].Count, bars["SPY"].Select(b => b.Timestamp).Distinct().Count());
        BarAssert.Valid(bars["MSFT"]);
        Assert.Equal(HealthStatus.Healthy, health.Entries[MarketDataClientExtensions.HealthCheckName].Status);
    }

    [Fact]
    public async Task ListSymbols_names_the_providers_whole_universe_in_ordinal_order()
    {
        await using var server = await MarketDataTestHost.StartAsync(await TestServers.RedisAsync(),
            settings: new Dictionary<string, string?> { ["MarketData:Synthetic:Symbols:0"] = "MSFT", ["MarketData:Synthetic:Symbols:1"] = "BRK.B", ["MarketData:Synthetic:Symbols:2"] = "AAPL" });
        await using var consumer = MarketDataConsumer.Create(server);

        var symbols = await consumer.Services.GetRequiredService<IMarketDataSource>().ListSymbolsAsync(Ct);

        Assert.Equal(["AAPL", "BRK.B", "MSFT"], symbols);
    }

    [Fact]
    public async Task ListSymbols_of_the_default_synthetic_market_covers_the_dow_and_spy()
    {
        await using var server = await MarketDataTestHost.StartAsync(await TestServers.RedisAsync());
        await using var consumer = MarketDataConsumer.Create(server);

        var symbols = await consumer.Services.GetRequiredService<IMarketDataSource>().ListSymbolsAsync(Ct);

        Assert.True(symbols.Count >= 31, $"{symbols.Count} symbols");
        Assert.Contains("SPY", symbols);
        Assert.Equal(symbols.Order(StringComparer.Ordinal), symbols);
    }

    [Fact]
    public async Task The_health_check_fails_when_marketdata_is_gone()
    {
        var server = await MarketDataTestHost.StartAsync(await TestServers.RedisAsync());
        await using var consumer = MarketDataConsumer.Create(server);
        await server.DisposeAsync();

        var health = await consumer.Services.GetRequiredService<HealthCheckService>().CheckHealthAsync(Ct);

        Assert.Equal(HealthStatus.Unhealthy, health.Entries[MarketDataClientExtensions.HealthCheckName].Status);
    }

    [Fact]
    public async Task Calls_write_no_HttpClient_log_lines_at_the_consumers_Information_level_and_a_failed_call_is_still_logged_with_its_status()
    {
        await using var server = await MarketDataTestHost.StartAsync(await TestServers.RedisAsync());
        await using var consumer = MarketDataConsumer.Create(server, builder =>
        {
            // As Api and Scheduler log (their appsettings: Default Information).
            builder.Logging.SetMinimumLevel(LogLevel.Information);
            builder.Logging.AddFakeLogging();
        });
        var source = consumer.Services.GetRequiredService<IMarketDataSource>();

        var quotes = await source.GetQuotesAsync(["AAPL", "MSFT"], Ct);
        var none = await source.GetQuotesAsync(["NOPE"], Ct);

        Assert.Equal(2, quotes.Count);
        Assert.Empty(none);
        var records = consumer.Services.GetFakeLogCollector().GetSnapshot();
        Assert.DoesNotContain(records, r => r.Category?.StartsWith("System.Net.Http.HttpClient.", StringComparison.Ordinal) == true);
        Assert.Contains(records, r =>
            r.Category?.StartsWith("Grpc.Net.Client", StringComparison.Ordinal) == true
            && r.Message.Contains(nameof(Grpc.Core.StatusCode.NotFound), StringComparison.Ordinal));
    }
}
