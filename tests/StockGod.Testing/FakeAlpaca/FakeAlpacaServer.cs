using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace StockGod.Testing.FakeAlpaca;

/// <summary>
/// An in-process Alpaca (Trading API v2 and Market Data v2 on one loopback port) speaking Alpaca's documented JSON,
/// for tests of anything that talks to Alpaca. It checks the <c>APCA-API-*</c> keys, sends <c>X-RateLimit-*</c>
/// headers and enforces the per-minute budget, logs every request, and misbehaves on demand (<see cref="Faults"/>).
/// <code>
/// await using var alpaca = await FakeAlpacaServer.StartAsync();
/// configuration.AddInMemoryCollection(alpaca.ConfigurationFor("Paper"));
/// </code>
/// </summary>
public sealed class FakeAlpacaServer : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly CancellationTokenSource _stopping = new();
    private readonly Lock _lock = new();
    private readonly List<FakeAlpacaRequest> _requests = [];
    private readonly Dictionary<long, int> _requestsPerWindow = [];

    private FakeAlpacaServer(WebApplication app, TimeProvider time)
    {
        _app = app;
        Time = time;
        Brokerage = new FakeAlpacaBrokerage(time);
    }

    public Uri BaseUrl { get; private set; } = null!;

    public string KeyId { get; } = "PKFAKE" + Guid.NewGuid().ToString("N")[..14].ToUpperInvariant();

    public string SecretKey { get; } = "fake-secret-" + Guid.NewGuid().ToString("N");

    public TimeProvider Time { get; }

    public FakeAlpacaBrokerage Brokerage { get; }

    public FakeAlpacaMarketData MarketData { get; } = new();

    public FakeAlpacaFaults Faults { get; } = new();

    /// <summary>Requests allowed per <see cref="RateLimitWindow"/> (a fixed window, as Alpaca's reset header implies).</summary>
    public int RateLimit { get; set; } = 200;

    public TimeSpan RateLimitWindow { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>Every request that reached the server, in arrival order, including refused ones.</summary>
    public IReadOnlyList<FakeAlpacaRequest> Requests
    {
        get { lock (_lock) { return [.. _requests]; } }
    }

    public static async Task<FakeAlpacaServer> StartAsync(TimeProvider? time = null, CancellationToken cancellationToken = default)
    {
        var builder = WebApplication.CreateSlimBuilder();
        // Independent of the test process's environment (e.g. Kestrel settings meant for a service under test).
        builder.Configuration.Sources.Clear();
        builder.Logging.ClearProviders();
        builder.WebHost.UseKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0, listen => listen.Protocols = HttpProtocols.Http1));
        var app = builder.Build();
        var server = new FakeAlpacaServer(app, time ?? TimeProvider.System);
        server.Configure();
        await app.StartAsync(cancellationToken);
        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        server.BaseUrl = new Uri(address);
        return server;
    }

    /// <summary>Configuration that points the Alpaca gateway's <c>Alpaca:{mode}</c> account at this server.</summary>
    public Dictionary<string, string?> ConfigurationFor(string mode) => new()
    {
        [$"Alpaca:{mode}:KeyId"] = KeyId,
        [$"Alpaca:{mode}:SecretKey"] = SecretKey,
        [$"Alpaca:{mode}:BaseUrl"] = BaseUrl.ToString(),
    };

    public int CountRequests(string method, string path)
    {
        lock (_lock)
        {
            return _requests.Count(r => string.Equals(r.Method, method, StringComparison.OrdinalIgnoreCase) && r.Path == path);
        }
    }

    /// <summary>How many requests the budget counted in each fixed rate window, keyed by the window's start.</summary>
    public IReadOnlyDictionary<DateTimeOffset, int> RequestsPerRateWindow()
    {
        lock (_lock)
        {
            return _requestsPerWindow.ToDictionary(w => DateTimeOffset.FromUnixTimeMilliseconds(w.Key * (long)RateLimitWindow.TotalMilliseconds), w => w.Value);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await _stopping.CancelAsync();
        await _app.StopAsync();
        await _app.DisposeAsync();
        _stopping.Dispose();
    }

    private void Configure()
    {
        _app.Use(LogRequestAsync);
        _app.Use(AuthenticateAsync);
        _app.Use(ApplyRateLimitAsync);
        _app.Use(ApplyFaultsAsync);
        _app.Use(AnswerApiErrorsAsync);
        _app.MapTradingApi(this);
        _app.MapMarketDataApi(MarketData);
    }

    private async Task LogRequestAsync(HttpContext context, RequestDelegate next)
    {
        var request = new FakeAlpacaRequest(context.Request.Method, context.Request.Path.Value ?? "", context.Request.QueryString.Value ?? "", Time.GetUtcNow());
        lock (_lock) { _requests.Add(request); }
        context.Features.Set(request);
        // Recorded as the answer starts, so it is visible before the client can have read it. Kestrel also "starts" the
        // response of a request that was never answered when it ends (a hang the client gave up on): the outcome the
        // fault recorded first stands, so such a request is never logged as a 200.
        context.Response.OnStarting(() =>
        {
            request.Answered(context.Response.StatusCode);
            return Task.CompletedTask;
        });
        try
        {
            await next(context);
        }
        finally
        {
            if (context.RequestAborted.IsCancellationRequested)
            {
                request.NotAnswered(FakeAlpacaRequestOutcome.Disconnected);
            }
        }
    }

    private async Task AuthenticateAsync(HttpContext context, RequestDelegate next)
    {
        if (context.Request.Headers["APCA-API-KEY-ID"] != KeyId || context.Request.Headers["APCA-API-SECRET-KEY"] != SecretKey)
        {
            await WriteErrorAsync(context, new AlpacaApiError(401, 40110000, "request is not authorized"));
            return;
        }

        await next(context);
    }

    private async Task ApplyRateLimitAsync(HttpContext context, RequestDelegate next)
    {
        var now = Time.GetUtcNow();
        var window = now.ToUnixTimeMilliseconds() / (long)RateLimitWindow.TotalMilliseconds;
        int used;
        lock (_lock)
        {
            _requestsPerWindow[window] = used = _requestsPerWindow.GetValueOrDefault(window) + 1;
        }

        var reset = DateTimeOffset.FromUnixTimeMilliseconds((window + 1) * (long)RateLimitWindow.TotalMilliseconds);
        SetRateLimitHeaders(context, Math.Max(0, RateLimit - used), reset);
        if (used > RateLimit)
        {
            await WriteErrorAsync(context, new AlpacaApiError(429, 42910000, "rate limit exceeded"));
            return;
        }

        await next(context);
    }

    private async Task ApplyFaultsAsync(HttpContext context, RequestDelegate next)
    {
        switch (Faults.Take(context.Request.Method, context.Request.Path.Value ?? ""))
        {
            case null:
                await next(context);
                break;
            case { Kind: FakeAlpacaFaultKind.ServerError } fault:
                await WriteErrorAsync(context, new AlpacaApiError(fault.StatusCode, fault.StatusCode * 100_000, "internal server error"));
                break;
            case { Kind: FakeAlpacaFaultKind.RateLimited } fault:
                SetRateLimitHeaders(context, 0, Time.GetUtcNow() + fault.ResetIn);
                await WriteErrorAsync(context, new AlpacaApiError(429, 42910000, "rate limit exceeded"));
                break;
            case { Kind: FakeAlpacaFaultKind.Hang }:
                await HangAsync(context);
                break;
            case { Kind: FakeAlpacaFaultKind.ProcessThenHang }:
                await ProcessWithoutAnsweringAsync(context, next, FakeAlpacaRequestOutcome.TimedOut);
                await HangAsync(context);
                break;
            case { Kind: FakeAlpacaFaultKind.ProcessThenDisconnect }:
                await ProcessWithoutAnsweringAsync(context, next, FakeAlpacaRequestOutcome.Disconnected);
                context.Abort();
                break;
        }
    }

    private static async Task AnswerApiErrorsAsync(HttpContext context, RequestDelegate next)
    {
        try
        {
            await next(context);
        }
        catch (AlpacaApiError error)
        {
            await WriteErrorAsync(context, error);
        }
    }

    /// <summary>Runs the request (an order is accepted) with its answer produced and thrown away.</summary>
    private static async Task ProcessWithoutAnsweringAsync(HttpContext context, RequestDelegate next, FakeAlpacaRequestOutcome outcome)
    {
        context.Features.Get<FakeAlpacaRequest>()?.NotAnswered(outcome);
        context.Response.Body = Stream.Null;
        await next(context);
    }

    private async Task HangAsync(HttpContext context)
    {
        context.Features.Get<FakeAlpacaRequest>()?.NotAnswered(FakeAlpacaRequestOutcome.TimedOut);
        using var hang = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, _stopping.Token);
        try
        {
            await Task.Delay(Timeout.Infinite, hang.Token);
        }
        catch (OperationCanceledException)
        {
            context.Abort();
        }
    }

    private void SetRateLimitHeaders(HttpContext context, int remaining, DateTimeOffset reset)
    {
        var headers = context.Response.Headers;
        headers["X-RateLimit-Limit"] = RateLimit.ToString(System.Globalization.CultureInfo.InvariantCulture);
        headers["X-RateLimit-Remaining"] = remaining.ToString(System.Globalization.CultureInfo.InvariantCulture);
        // Epoch seconds, rounded up so that waiting until the reset never lands inside the old window.
        headers["X-RateLimit-Reset"] = ((reset.ToUnixTimeMilliseconds() + 999) / 1000).ToString(System.Globalization.CultureInfo.InvariantCulture);
    }

    internal static Task WriteErrorAsync(HttpContext context, AlpacaApiError error)
    {
        context.Response.StatusCode = error.Status;
        context.Response.ContentType = "application/json; charset=UTF-8";
        return context.Response.WriteAsync(JsonSerializer.Serialize(new { code = error.Code, message = error.Message }));
    }
}

/// <summary>What became of a request the fake received.</summary>
public enum FakeAlpacaRequestOutcome
{
    /// <summary>Still being handled.</summary>
    Pending,

    /// <summary>An answer (of <see cref="FakeAlpacaRequest.StatusCode"/>) was sent.</summary>
    Answered,

    /// <summary>Never answered: the fake hung until the client gave up.</summary>
    TimedOut,

    /// <summary>Never answered: the connection was dropped (by the fake or the client) first.</summary>
    Disconnected,
}

/// <summary>
/// One request as the fake received it. <see cref="StatusCode"/> is the status answered, 0 for a request never
/// answered (as HAR files record it), null while it is still pending; <see cref="Outcome"/> says which.
/// </summary>
public sealed class FakeAlpacaRequest(string method, string path, string query, DateTimeOffset receivedAt)
{
    private readonly Lock _lock = new();

    public string Method { get; } = method;

    public string Path { get; } = path;

    public string Query { get; } = query;

    public DateTimeOffset ReceivedAt { get; } = receivedAt;

    public FakeAlpacaRequestOutcome Outcome { get; private set; }

    public int? StatusCode { get; private set; }

    /// <summary>The first outcome recorded stands: an unanswered request stays unanswered whatever Kestrel does later.</summary>
    internal void Answered(int statusCode) => Settle(FakeAlpacaRequestOutcome.Answered, statusCode);

    internal void NotAnswered(FakeAlpacaRequestOutcome outcome) => Settle(outcome, 0);

    private void Settle(FakeAlpacaRequestOutcome outcome, int statusCode)
    {
        lock (_lock)
        {
            if (Outcome == FakeAlpacaRequestOutcome.Pending)
            {
                (Outcome, StatusCode) = (outcome, statusCode);
            }
        }
    }

    public override string ToString() => $"{Method} {Path}{Query} -> {(Outcome == FakeAlpacaRequestOutcome.Answered ? StatusCode : Outcome)}";
}
