using System.Net;
using StockGod.Trading.Brokerage.Alpaca;

namespace StockGod.MarketData.Providers.Alpaca;

/// <summary>
/// Keeps the data API within its request budget (<see cref="AlpacaRateBudget"/>: a sliding window, honouring
/// X-RateLimit-Remaining/Reset) and waits out a 429 until the reset once before giving the 429 to the caller.
/// </summary>
internal sealed class AlpacaDataRateLimitHandler(AlpacaRateBudget budget, TimeProvider time) : DelegatingHandler
{
    private static readonly TimeSpan MaxWait = TimeSpan.FromSeconds(30);

    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        for (var attempt = 0; ; attempt++)
        {
            await budget.AcquireAsync(cancellationToken);
            var response = await base.SendAsync(request, cancellationToken);
            var rateLimited = response.StatusCode == HttpStatusCode.TooManyRequests;
            var resumeAt = budget.Observe(response.Headers, rateLimited);
            if (!rateLimited || attempt > 0 || (resumeAt ?? time.GetUtcNow()) - time.GetUtcNow() > MaxWait)
            {
                return response;
            }

            // The budget now blocks until Alpaca's reset; the next AcquireAsync waits for it.
            response.Dispose();
        }
    }
}
