using System.Collections.Frozen;
using System.Text.Json;
using Grpc.Core;
using Grpc.Net.ClientFactory;
using Microsoft.AspNetCore.SignalR;
using Microsoft.Extensions.Options;
using StockGod.MarketData.V1;
using StockGod.Trading.Events;

namespace StockGod.Api.Realtime;

/// <summary>
/// Pushes <c>price_updated</c> to users for the symbols they hold or watch. One MarketData StreamQuotes call per
/// replica carries the union of the symbols of the users connected HERE (<see cref="StreamConnections"/> →
/// <see cref="PriceInterest"/>); it is re-opened when that union changes (connects and disconnects, debounced, and a
/// periodic re-read of the database) and with backoff when MarketData goes away. Each quote goes to the local
/// connections of the users interested in its symbol, and to no one else.
/// </summary>
public sealed partial class PriceStream(
    StreamConnections connections,
    PriceInterest interest,
    GrpcClientFactory clients,
    IHubContext<StreamHub> hub,
    IOptions<RealtimeOptions> options,
    TimeProvider time,
    ILogger<PriceStream> logger) : BackgroundService
{
    /// <summary>MarketData takes at most this many symbols per call; a larger union is split over several streams.</summary>
    public const int MaxSymbolsPerStream = 1_000;

    private volatile FrozenDictionary<string, Guid[]> _interest = FrozenDictionary<string, Guid[]>.Empty;
    private volatile Subscription? _current;

    /// <summary>The symbols streamed now, ordered; empty when no connected user holds or watches anything.</summary>
    public IReadOnlyList<string> SubscribedSymbols => _current?.Symbols ?? [];

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            while (!stoppingToken.IsCancellationRequested)
            {
                await WaitForChangeAsync(stoppingToken);
                FrozenDictionary<string, Guid[]> next;
                try
                {
                    next = await interest.LoadAsync(connections.Users(), stoppingToken);
                }
                catch (Exception ex) when (ex is not OperationCanceledException)
                {
                    // The database is away: keep streaming what we had; the next change or refresh tries again.
                    LogInterestFailed(logger, ex);
                    continue;
                }

                _interest = next;
                string[] symbols = [.. next.Keys.Order(StringComparer.Ordinal)];
                if (!symbols.SequenceEqual(SubscribedSymbols))
                {
                    await StopAsync(_current);
                    _current = symbols.Length == 0 ? null : Subscribe(symbols, stoppingToken);
                    LogSubscribed(logger, symbols.Length);
                }
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        finally
        {
            await StopAsync(_current);
        }
    }

    /// <summary>Returns after a change of the connected users (once the burst has settled) or after the refresh interval.</summary>
    private async Task WaitForChangeAsync(CancellationToken stoppingToken)
    {
        using var refreshDue = new CancellationTokenSource(options.Value.InterestRefreshInterval, time);
        using var wait = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken, refreshDue.Token);
        try
        {
            await connections.UsersChanged.WaitToReadAsync(wait.Token);
        }
        catch (OperationCanceledException) when (!stoppingToken.IsCancellationRequested)
        {
            return;
        }

        await Task.Delay(options.Value.SubscriptionDebounce, time, stoppingToken);
        connections.UsersChanged.TryRead(out _);
    }

    private Subscription Subscribe(string[] symbols, CancellationToken stoppingToken)
    {
        var cancellation = CancellationTokenSource.CreateLinkedTokenSource(stoppingToken);
        var streams = symbols.Chunk(MaxSymbolsPerStream).Select(chunk => Task.Run(() => StreamAsync(chunk, cancellation.Token), CancellationToken.None));
        return new Subscription(symbols, cancellation, Task.WhenAll(streams));
    }

    private static async Task StopAsync(Subscription? subscription)
    {
        if (subscription is null)
        {
            return;
        }

        await subscription.Cancellation.CancelAsync();
        await subscription.Streams;
        subscription.Cancellation.Dispose();
    }

    /// <summary>Reads one StreamQuotes call until cancelled, re-opening it with exponential backoff whenever it fails or ends.</summary>
    private async Task StreamAsync(string[] symbols, CancellationToken cancellationToken)
    {
        var request = new StreamQuotesRequest { Symbols = { symbols } };
        var delay = options.Value.ReconnectInitialDelay;
        while (!cancellationToken.IsCancellationRequested)
        {
            try
            {
                // A client per call: the factory hands out a current handler, so a long-lived replica follows address changes.
                var client = clients.CreateClient<MarketDataService.MarketDataServiceClient>(nameof(MarketDataService.MarketDataServiceClient));
                using var call = client.StreamQuotes(request, cancellationToken: cancellationToken);
                await foreach (var quote in call.ResponseStream.ReadAllAsync(cancellationToken))
                {
                    delay = options.Value.ReconnectInitialDelay;
                    await SendAsync(quote, cancellationToken);
                }

                LogStreamEnded(logger, delay);
            }
            catch (Exception ex) when (cancellationToken.IsCancellationRequested && ex is OperationCanceledException or RpcException)
            {
                return;
            }
            catch (RpcException ex)
            {
                LogStreamFailed(logger, ex.StatusCode, delay, ex);
            }

            try
            {
                await Task.Delay(delay, time, cancellationToken);
            }
            catch (OperationCanceledException)
            {
                return;
            }

            delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, options.Value.ReconnectMaxDelay.Ticks));
        }
    }

    private async Task SendAsync(Quote quote, CancellationToken cancellationToken)
    {
        if (!_interest.TryGetValue(quote.Symbol, out var users) || quote.LastPrice is null || quote.BidPrice is null || quote.AskPrice is null)
        {
            return;
        }

        var targets = connections.ConnectionsOf(users);
        if (targets.Count == 0)
        {
            return;
        }

        var update = new PriceUpdated(quote.Symbol, quote.LastPrice, quote.BidPrice, quote.AskPrice, quote.Timestamp?.ToDateTimeOffset() ?? time.GetUtcNow());
        try
        {
            // Same wire shape as the relayed events. Local connections are written directly, not through the backplane.
            await hub.Clients.Clients(targets).SendAsync(PriceUpdated.Kind, JsonSerializer.SerializeToElement(update, TradingEventChannels.Json), cancellationToken);
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // A connection that closed meanwhile is looked up on the backplane, which may be away: drop this price only.
            LogSendFailed(logger, ex, quote.Symbol);
        }
    }

    private sealed record Subscription(string[] Symbols, CancellationTokenSource Cancellation, Task Streams);

    [LoggerMessage(Level = LogLevel.Information, Message = "Price stream now follows {Count} symbols")]
    private static partial void LogSubscribed(ILogger logger, int count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not read the connected users' symbols; keeping the current price stream")]
    private static partial void LogInterestFailed(ILogger logger, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "MarketData ended the price stream; reopening in {Delay}")]
    private static partial void LogStreamEnded(ILogger logger, TimeSpan delay);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Price stream failed with {Status}; reopening in {Delay}")]
    private static partial void LogStreamFailed(ILogger logger, StatusCode status, TimeSpan delay, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not push a price of {Symbol}")]
    private static partial void LogSendFailed(ILogger logger, Exception exception, string symbol);
}
