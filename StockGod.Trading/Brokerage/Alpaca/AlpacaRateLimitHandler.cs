using System.Globalization;
using System.Net;
using System.Text;
using Microsoft.Extensions.Logging;

namespace StockGod.Trading.Brokerage.Alpaca;

/// <summary>
/// Spends the account's <see cref="AlpacaRateBudget"/> on every attempt and waits out a 429 until Alpaca's reset
/// before sending again. A 429 means Alpaca refused the request unprocessed, so re-sending is safe even for an order.
/// When still limited (or the reset is too far away) the 429 goes back to the caller; and while the account's budget
/// stays spent beyond that longest wait, further requests are not sent but answered at once with a 429 of the same
/// reset, as Alpaca would answer them.
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
            if (await budget.AcquireAsync(options.MaxRateLimitWait, cancellationToken).ConfigureAwait(false) is { } spentUntil)
            {
                LogBudgetSpent(logger, request.Method, request.RequestUri?.AbsolutePath, spentUntil);
                return BudgetSpent(request, spentUntil);
            }

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

    /// <summary>A 429 as Alpaca sends it (its error body and rate-limit headers), for a request that was not sent.</summary>
    private static HttpResponseMessage BudgetSpent(HttpRequestMessage request, DateTimeOffset spentUntil)
    {
        var response = new HttpResponseMessage(HttpStatusCode.TooManyRequests)
        {
            RequestMessage = request,
            Content = new StringContent("""{"code":42910000,"message":"rate limit exceeded (not sent: the request budget is spent)"}""", Encoding.UTF8, "application/json"),
        };
        response.Headers.Add("X-RateLimit-Remaining", "0");
        response.Headers.Add("X-RateLimit-Reset", ((spentUntil.ToUnixTimeMilliseconds() + 999) / 1000).ToString(CultureInfo.InvariantCulture));
        return response;
    }

    [LoggerMessage(LogLevel.Warning, "Alpaca request budget is spent until {SpentUntil:O}: {Method} {Path} is not sent")]
    private static partial void LogBudgetSpent(ILogger logger, HttpMethod method, string? path, DateTimeOffset spentUntil);

    [LoggerMessage(LogLevel.Warning, "Alpaca rate limit reached on {Method} {Path}; sending again in {Wait}")]
    private static partial void LogRateLimited(ILogger logger, HttpMethod method, string? path, TimeSpan wait);
}
