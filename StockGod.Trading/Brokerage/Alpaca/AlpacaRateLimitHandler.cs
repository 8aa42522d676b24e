using System.Net;
using Microsoft.Extensions.Logging;

namespace StockGod.Trading.Brokerage.Alpaca;

/// <summary>
/// Spends the account's <see cref="AlpacaRateBudget"/> on every attempt and waits out a 429 until Alpaca's reset
/// before sending again. A 429 means Alpaca refused the request unprocessed, so re-sending is safe even for an order.
/// When still limited (or the reset is too far away) the 429 goes back to the caller.
/// </summary>
public sealed partial class AlpacaRateLimitHandler(
    AlpacaRateBudget budget,
    AlpacaAccountOptions options,
    TimeProvider timeProvider,
    ILogger<AlpacaRateLimitHandler> logger) : DelegatingHandler
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        for (var retry = 0; ; retry++)
        {
            await budget.AcquireAsync(cancellationToken).ConfigureAwait(false);
            var response = await base.SendAsync(request, cancellationToken).ConfigureAwait(false);
            var rateLimited = response.StatusCode == HttpStatusCode.TooManyRequests;
            var resumeAt = budget.Observe(response.Headers, rateLimited);
            if (!rateLimited || retry >= options.RateLimitRetries)
            {
                return response;
            }

            var wait = (resumeAt ?? timeProvider.GetUtcNow()) - timeProvider.GetUtcNow();
            if (wait > options.MaxRateLimitWait)
            {
                return response;
            }

            LogRateLimited(logger, request.Method, request.RequestUri?.AbsolutePath, wait);
            response.Dispose();
        }
    }

    [LoggerMessage(LogLevel.Warning, "Alpaca rate limit reached on {Method} {Path}; sending again in {Wait}")]
    private static partial void LogRateLimited(ILogger logger, HttpMethod method, string? path, TimeSpan wait);
}
