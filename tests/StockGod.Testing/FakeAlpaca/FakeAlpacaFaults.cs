namespace StockGod.Testing.FakeAlpaca;

/// <summary>What the fake does instead of (or after) answering a request normally.</summary>
public enum FakeAlpacaFaultKind
{
    /// <summary>Answers an error status (500 by default) without touching any state.</summary>
    ServerError,

    /// <summary>Answers 429 with <c>X-RateLimit-Remaining: 0</c> and a <c>X-RateLimit-Reset</c> in the future.</summary>
    RateLimited,

    /// <summary>Never answers and changes nothing, until the client gives up.</summary>
    Hang,

    /// <summary>Processes the request (an order is accepted) but never answers: the "timeout after accept" case.</summary>
    ProcessThenHang,

    /// <summary>Processes the request, then drops the connection without answering.</summary>
    ProcessThenDisconnect,
}

/// <summary>
/// One queued fault: applies to the next <see cref="Times"/> requests matching method and path exactly
/// (<see cref="FakeAlpacaFaults.Any"/> matches every method or path).
/// </summary>
public sealed record FakeAlpacaFault(string Method, string Path, FakeAlpacaFaultKind Kind, int Times = 1, int StatusCode = 500, TimeSpan ResetIn = default);

/// <summary>
/// Faults on demand, consumed in the order they were queued: <c>server.Faults.FailNext("POST", "/v2/orders", times: 2)</c>.
/// </summary>
public sealed class FakeAlpacaFaults
{
    private readonly Lock _lock = new();
    private readonly List<FakeAlpacaFault> _pending = [];

    /// <summary>As a method or path: matches every request.</summary>
    public const string Any = "*";

    /// <summary>An outage: every request answers <paramref name="statusCode"/> (nothing processed) until <see cref="Clear"/>.</summary>
    public void FailEverything(int statusCode = 500) =>
        Add(new FakeAlpacaFault(Any, Any, FakeAlpacaFaultKind.ServerError, int.MaxValue, statusCode));

    public void FailNext(string method, string path, int times = 1, int statusCode = 500) =>
        Add(new FakeAlpacaFault(method, path, FakeAlpacaFaultKind.ServerError, times, statusCode));

    public void RateLimitNext(string method, string path, TimeSpan resetIn, int times = 1) =>
        Add(new FakeAlpacaFault(method, path, FakeAlpacaFaultKind.RateLimited, times, 429, resetIn));

    public void HangNext(string method, string path, int times = 1) =>
        Add(new FakeAlpacaFault(method, path, FakeAlpacaFaultKind.Hang, times));

    public void ProcessThenHangNext(string method, string path, int times = 1) =>
        Add(new FakeAlpacaFault(method, path, FakeAlpacaFaultKind.ProcessThenHang, times));

    public void ProcessThenDisconnectNext(string method, string path, int times = 1) =>
        Add(new FakeAlpacaFault(method, path, FakeAlpacaFaultKind.ProcessThenDisconnect, times));

    public void Clear()
    {
        lock (_lock) { _pending.Clear(); }
    }

    public void Add(FakeAlpacaFault fault)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(fault.Times);
        lock (_lock) { _pending.Add(fault); }
    }

    /// <summary>Takes one use of the first fault queued for this request, if any.</summary>
    internal FakeAlpacaFault? Take(string method, string path)
    {
        lock (_lock)
        {
            var index = _pending.FindIndex(f =>
                (f.Method == Any || string.Equals(f.Method, method, StringComparison.OrdinalIgnoreCase))
                && (f.Path == Any || string.Equals(f.Path, path, StringComparison.Ordinal)));
            if (index < 0)
            {
                return null;
            }

            var fault = _pending[index];
            if (fault.Times == 1)
            {
                _pending.RemoveAt(index);
            }
            else
            {
                _pending[index] = fault with { Times = fault.Times - 1 };
            }

            return fault;
        }
    }
}
