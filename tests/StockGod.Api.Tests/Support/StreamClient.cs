using System.Text.Json;
using System.Threading.Channels;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.SignalR.Client;
using StockGod.Trading.Events;

namespace StockGod.Api.Tests.Support;

/// <summary>
/// A real SignalR .NET client on <c>/hubs/stream</c> of one Api replica. Every event kind the hub sends lands, in
/// arrival order, in one channel, so a test can say what arrived between two events.
/// </summary>
public sealed class StreamClient : IAsyncDisposable
{
    private static readonly string[] Kinds =
        [OrderStatusChanged.Kind, OrderFilled.Kind, AlertTriggered.Kind, PriceUpdated.Kind, JobRunCompleted.Kind];

    private readonly Channel<StreamEvent> _received = Channel.CreateUnbounded<StreamEvent>();

    private StreamClient(HubConnection connection)
    {
        Connection = connection;
        foreach (var kind in Kinds)
        {
            connection.On<JsonElement>(kind, payload => _received.Writer.TryWrite(new StreamEvent(kind, payload)));
        }
    }

    public HubConnection Connection { get; }

    public static Task<StreamClient> ConnectAsync(ApiFactory replica, UserClient user) => ConnectAsync(replica, user.AccessToken);

    public static async Task<StreamClient> ConnectAsync(ApiFactory replica, string? accessToken)
    {
        var connection = new HubConnectionBuilder()
            .WithUrl(new Uri(replica.Server.BaseAddress, "/hubs/stream"), options =>
            {
                // TestServer speaks HTTP only; long polling is the SignalR transport that runs over it.
                options.Transports = HttpTransportType.LongPolling;
                options.HttpMessageHandlerFactory = _ => replica.Server.CreateHandler();
                options.AccessTokenProvider = () => Task.FromResult(accessToken);
            })
            .Build();
        var client = new StreamClient(connection);
        try
        {
            await connection.StartAsync(TestContext.Current.CancellationToken);
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }

        return client;
    }

    /// <summary>The next event to arrive (waits for it).</summary>
    public async Task<StreamEvent> NextAsync(CancellationToken cancellationToken) => await _received.Reader.ReadAsync(cancellationToken);

    /// <summary>The next event of <paramref name="kind"/>, skipping others (which the caller states it does not care about).</summary>
    public async Task<JsonElement> NextAsync(string kind, CancellationToken cancellationToken)
    {
        while (true)
        {
            var next = await NextAsync(cancellationToken);
            if (next.Kind == kind)
            {
                return next.Payload;
            }
        }
    }

    public bool TryNext(out StreamEvent received) => _received.Reader.TryRead(out received!);

    public ValueTask DisposeAsync() => Connection.DisposeAsync();
}

public sealed record StreamEvent(string Kind, JsonElement Payload);
