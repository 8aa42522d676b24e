using Microsoft.Extensions.Http.Logging;
using Microsoft.Extensions.Logging;

namespace StockGod.Trading.Brokerage.Alpaca;

/// <summary>
/// Replaces HttpClientFactory's default request logging for Alpaca clients. That logging redacts header values in
/// its message text but still hands the raw values (the APCA keys) to structured loggers as state, so it is removed
/// and this logger writes the method, path, status and duration only.
/// </summary>
public sealed partial class AlpacaHttpLogger(ILogger<AlpacaHttpLogger> logger) : IHttpClientLogger
{
    public object? LogRequestStart(HttpRequestMessage request) => null;

    public void LogRequestStop(object? context, HttpRequestMessage request, HttpResponseMessage response, TimeSpan elapsed) =>
        LogAnswered(logger, request.Method, request.RequestUri?.PathAndQuery, (int)response.StatusCode, elapsed.TotalMilliseconds);

    public void LogRequestFailed(object? context, HttpRequestMessage request, HttpResponseMessage? response, Exception exception, TimeSpan elapsed) =>
        LogFailed(logger, request.Method, request.RequestUri?.PathAndQuery, exception.GetType().Name, elapsed.TotalMilliseconds);

    [LoggerMessage(LogLevel.Debug, "Alpaca {Method} {PathAndQuery} answered {StatusCode} in {ElapsedMilliseconds} ms")]
    private static partial void LogAnswered(ILogger logger, HttpMethod method, string? pathAndQuery, int statusCode, double elapsedMilliseconds);

    [LoggerMessage(LogLevel.Debug, "Alpaca {Method} {PathAndQuery} failed with {Error} after {ElapsedMilliseconds} ms")]
    private static partial void LogFailed(ILogger logger, HttpMethod method, string? pathAndQuery, string error, double elapsedMilliseconds);
}
