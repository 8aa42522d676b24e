using System.Globalization;
using System.Net.Http.Headers;

namespace StockGod.Trading.Brokerage.Alpaca;

/// <summary>
/// The request budget of one Alpaca account, shared by every request to it: never more than
/// <see cref="AlpacaAccountOptions.RequestsPerWindow"/> sends in any sliding window (which keeps Alpaca's fixed
/// window under its limit too), and none at all while Alpaca said the window is spent
/// (<c>X-RateLimit-Remaining: 0</c> or a 429) until its <c>X-RateLimit-Reset</c>. A reset further away than the
/// caller's longest wait is not waited for: the caller is told, instead of every request of the account being held
/// until then.
/// </summary>
public sealed class AlpacaRateBudget
{
    private readonly TimeProvider _timeProvider;
    private readonly TimeSpan _window;
    private readonly Queue<DateTimeOffset> _recentSends = new();
    private readonly SemaphoreSlim _gate = new(1, 1);
    private readonly Lock _stateLock = new();
    private int _limit;
    private DateTimeOffset _blockedUntil = DateTimeOffset.MinValue;

    public AlpacaRateBudget(AlpacaAccountOptions options, TimeProvider timeProvider)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(options.RequestsPerWindow);
        _limit = options.RequestsPerWindow;
        _window = options.RateLimitWindow;
        _timeProvider = timeProvider;
    }

    /// <summary>Waits until one more request may be sent and counts it. Waiters are served one at a time, in order.</summary>
    /// <returns>
    /// Null once the request may be sent; or, without waiting or counting it, when Alpaca said the budget is spent until
    /// further away than <paramref name="maxBlockedWait"/>: that time.
    /// </returns>
    public async ValueTask<DateTimeOffset?> AcquireAsync(TimeSpan maxBlockedWait, CancellationToken cancellationToken)
    {
        await _gate.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            while (true)
            {
                var now = _timeProvider.GetUtcNow();
                var wait = TimeUntilNextSend(now);
                if (wait <= TimeSpan.Zero)
                {
                    return null;
                }

                if (BlockedFor(now) is var blocked && blocked > maxBlockedWait)
                {
                    return now + blocked;
                }

                await Task.Delay(wait, _timeProvider, cancellationToken).ConfigureAwait(false);
            }
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Learns from Alpaca's rate-limit headers; on a 429 blocks every request until the window resets.</summary>
    /// <returns>When sending may resume, if Alpaca said the window is spent.</returns>
    public DateTimeOffset? Observe(HttpResponseHeaders headers, bool rateLimited)
    {
        var now = _timeProvider.GetUtcNow();
        var serverLimit = ReadInt(headers, "X-RateLimit-Limit");
        var remaining = ReadInt(headers, "X-RateLimit-Remaining");
        var reset = ReadInt(headers, "X-RateLimit-Reset") is { } epochSeconds
            ? DateTimeOffset.FromUnixTimeSeconds(epochSeconds)
            : (DateTimeOffset?)null;

        DateTimeOffset? resumeAt = null;
        if (rateLimited)
        {
            resumeAt = headers.RetryAfter?.Delta is { } delta ? now + delta : reset ?? now + TimeSpan.FromSeconds(1);
        }
        else if (remaining == 0 && reset > now)
        {
            resumeAt = reset;
        }

        lock (_stateLock)
        {
            if (serverLimit is > 0 && serverLimit < _limit)
            {
                _limit = serverLimit.Value;
            }

            if (resumeAt > _blockedUntil)
            {
                _blockedUntil = resumeAt.Value;
            }
        }

        return resumeAt;
    }

    private TimeSpan BlockedFor(DateTimeOffset now)
    {
        lock (_stateLock)
        {
            return _blockedUntil - now;
        }
    }

    private TimeSpan TimeUntilNextSend(DateTimeOffset now)
    {
        lock (_stateLock)
        {
            while (_recentSends.TryPeek(out var oldest) && now - oldest >= _window)
            {
                _recentSends.Dequeue();
            }

            var wait = _blockedUntil - now;
            if (_recentSends.Count >= _limit)
            {
                var windowFreesAt = _recentSends.Peek() + _window - now;
                wait = windowFreesAt > wait ? windowFreesAt : wait;
            }

            if (wait <= TimeSpan.Zero)
            {
                _recentSends.Enqueue(now);
            }

            return wait;
        }
    }

    private static int? ReadInt(HttpResponseHeaders headers, string name) =>
        headers.TryGetValues(name, out var values)
        && int.TryParse(values.FirstOrDefault(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var value)
            ? value
            : null;
}
