using System.Collections.Concurrent;
using Npgsql;
using StockGod.Trading.Persistence;

namespace StockGod.Api.Portfolios;

/// <summary>
/// Keeps one connection of the Api's data source in <c>LISTEN</c> on <see cref="PortfolioChangeNotifications.Channel"/>
/// and applies each notification to the <see cref="PortfolioReadCache"/>. While connected, the cache is in use; when the
/// connection drops, the cache is cleared and bypassed until the listener is back (retried with backoff).
/// </summary>
public sealed partial class PortfolioChangeListener(
    NpgsqlDataSource dataSource, PortfolioReadCache cache, TimeProvider time, ILogger<PortfolioChangeListener> logger) : BackgroundService
{
    private static readonly TimeSpan FirstRetryDelay = TimeSpan.FromMilliseconds(250);
    private static readonly TimeSpan MaxRetryDelay = TimeSpan.FromSeconds(15);

    // A half-open TCP connection delivers nothing and reports nothing: after this long without a notification the
    // listener proves its connection with a round trip.
    private static readonly TimeSpan LivenessInterval = TimeSpan.FromSeconds(10);

    private static readonly string ListenSql = $"LISTEN {PortfolioChangeNotifications.Channel}";

    private readonly ConcurrentQueue<string> _received = new();
    private TaskCompletionSource? _hold;
    private int _connections;

    /// <summary>How many times the listener has connected and started listening (tests wait for a reconnection).</summary>
    public int Connections => Volatile.Read(ref _connections);

    /// <summary>Raised on the listener's loop after a notification's payload was applied to the cache.</summary>
    public event Action<string>? NotificationApplied;

    /// <summary>
    /// For tests: until disposed, received notifications are not applied and a lost connection is not re-established,
    /// so a test can observe what a replica does before a notification arrives, or while it is not listening.
    /// </summary>
    public IDisposable Hold()
    {
        var hold = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        if (Interlocked.CompareExchange(ref _hold, hold, null) is not null)
        {
            throw new InvalidOperationException("The listener is already held.");
        }

        return new Release(this, hold);
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var delay = FirstRetryDelay;
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                await ListenAsync(() => delay = FirstRetryDelay, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                break;
            }
            catch (Exception ex)
            {
                cache.StopListening();
                LogListenerLost(ex, delay);
            }

            try
            {
                await WhileHeldAsync(stoppingToken);
                await Task.Delay(delay, time, stoppingToken);
            }
            catch (OperationCanceledException)
            {
                break;
            }

            delay = TimeSpan.FromTicks(Math.Min(delay.Ticks * 2, MaxRetryDelay.Ticks));
        }

        cache.StopListening();
    }

    private async Task ListenAsync(Action connected, CancellationToken cancellationToken)
    {
        await using var connection = await dataSource.OpenConnectionAsync(cancellationToken);
        connection.Notification += (_, e) => _received.Enqueue(e.Payload);
        await using var listen = new NpgsqlCommand(ListenSql, connection);
        await listen.ExecuteNonQueryAsync(cancellationToken);

        // Whatever was received or kept before LISTEN took effect is covered by starting empty.
        _received.Clear();
        cache.StartListening();
        Interlocked.Increment(ref _connections);
        connected();
        LogListening(PortfolioChangeNotifications.Channel);

        listen.CommandTimeout = (int)LivenessInterval.TotalSeconds;
        while (true)
        {
            if (!await connection.WaitAsync(LivenessInterval, cancellationToken))
            {
                // LISTEN again is a no-op round trip, and keeps the backend's query text recognisable in pg_stat_activity.
                await listen.ExecuteNonQueryAsync(cancellationToken);
            }

            await WhileHeldAsync(cancellationToken);
            while (_received.TryDequeue(out var payload))
            {
                Apply(payload);
            }
        }
    }

    private void Apply(string payload)
    {
        if (payload.Length > 0 && Guid.TryParse(payload, out var portfolioId))
        {
            cache.Invalidate(portfolioId);
        }
        else
        {
            // The empty payload (a TRUNCATE), or one this version does not understand: anything may have changed.
            cache.InvalidateAll();
        }

        NotificationApplied?.Invoke(payload);
    }

    private Task WhileHeldAsync(CancellationToken cancellationToken) =>
        Volatile.Read(ref _hold) is { } hold ? hold.Task.WaitAsync(cancellationToken) : Task.CompletedTask;

    [LoggerMessage(Level = LogLevel.Information, Message = "Listening to PostgreSQL channel {Channel}: the portfolio read cache is in use")]
    private partial void LogListening(string channel);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Lost the portfolio change listener's connection; the portfolio read cache is bypassed until it reconnects (next attempt in {Delay})")]
    private partial void LogListenerLost(Exception exception, TimeSpan delay);

    private sealed class Release(PortfolioChangeListener listener, TaskCompletionSource hold) : IDisposable
    {
        public void Dispose()
        {
            Interlocked.CompareExchange(ref listener._hold, null, hold);
            hold.TrySetResult();
        }
    }
}
