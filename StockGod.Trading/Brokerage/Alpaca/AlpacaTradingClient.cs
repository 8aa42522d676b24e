using System.Globalization;
using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using Polly;

namespace StockGod.Trading.Brokerage.Alpaca;

/// <summary>
/// Trading API v2 over HTTP: one method per endpoint, Alpaca's JSON in and out, every failure turned into a
/// <see cref="BrokerageException"/>. It sends each request once; retry policy lives in the HttpClient's pipeline
/// (reads only) and in <see cref="AlpacaBrokerageGateway"/> (orders, by client_order_id).
/// </summary>
internal sealed class AlpacaTradingClient(HttpClient httpClient, TimeProvider timeProvider)
{
    /// <summary>Alpaca's page size cap for <c>GET /v2/orders</c>.</summary>
    public const int MaxOrdersPerPage = 500;

    public async Task<AlpacaOrder> SubmitOrderAsync(AlpacaNewOrder order, CancellationToken cancellationToken)
    {
        // Serialised up front into a buffer so the rate-limit handler can re-send it after a 429.
        var body = JsonSerializer.SerializeToUtf8Bytes(order, AlpacaJson.Options);
        using var request = new HttpRequestMessage(HttpMethod.Post, "v2/orders")
        {
            Content = new ByteArrayContent(body) { Headers = { ContentType = new("application/json") } },
        };
        using var response = await SendRawAsync(request, "submit order", cancellationToken).ConfigureAwait(false);
        if (response.StatusCode == HttpStatusCode.UnprocessableEntity)
        {
            var error = await ReadErrorAsync(response, cancellationToken).ConfigureAwait(false);
            if (Mentions(error, "client_order_id") && Mentions(error, "unique"))
            {
                throw new DuplicateClientOrderIdException(order.ClientOrderId);
            }
        }

        await EnsureSuccessAsync(response, "submit order", cancellationToken).ConfigureAwait(false);
        return await ReadAsync<AlpacaOrder>(response, "submit order", cancellationToken).ConfigureAwait(false);
    }

    public Task<AlpacaOrder?> GetOrderAsync(Guid orderId, CancellationToken cancellationToken) =>
        FindAsync<AlpacaOrder>($"v2/orders/{orderId:D}", "get order", cancellationToken);

    // The colon is a literal part of Alpaca's path; a relative URI starting with "v2/" keeps it from parsing as a scheme.
    public Task<AlpacaOrder?> GetOrderByClientOrderIdAsync(string clientOrderId, CancellationToken cancellationToken) =>
        FindAsync<AlpacaOrder>(
            $"v2/orders:by_client_order_id?client_order_id={Uri.EscapeDataString(clientOrderId)}",
            "get order by client order id",
            cancellationToken);

    public async Task<IReadOnlyList<AlpacaOrder>> ListOrdersAsync(
        string status,
        DateTimeOffset? after,
        DateTimeOffset? until,
        int limit,
        bool ascending,
        IReadOnlyCollection<string>? symbols,
        CancellationToken cancellationToken)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(limit);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(limit, MaxOrdersPerPage);
        var query = new StringBuilder("v2/orders?status=").Append(status)
            .Append("&limit=").Append(limit.ToString(CultureInfo.InvariantCulture))
            .Append("&direction=").Append(ascending ? "asc" : "desc");
        if (after is { } from)
        {
            query.Append("&after=").Append(Uri.EscapeDataString(FormatTimestamp(from)));
        }

        if (until is { } to)
        {
            query.Append("&until=").Append(Uri.EscapeDataString(FormatTimestamp(to)));
        }

        if (symbols is { Count: > 0 })
        {
            query.Append("&symbols=").Append(Uri.EscapeDataString(string.Join(',', symbols)));
        }

        using var request = new HttpRequestMessage(HttpMethod.Get, query.ToString());
        return await SendAsync<List<AlpacaOrder>>(request, "list orders", cancellationToken).ConfigureAwait(false);
    }

    public async Task CancelOrderAsync(Guid orderId, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Delete, $"v2/orders/{orderId:D}");
        using var response = await SendRawAsync(request, "cancel order", cancellationToken).ConfigureAwait(false);
        if (response.StatusCode == HttpStatusCode.UnprocessableEntity)
        {
            var error = await ReadErrorAsync(response, cancellationToken).ConfigureAwait(false);
            throw new OrderNotCancelableException($"Order {orderId} cannot be canceled: {error.Message}");
        }

        await EnsureSuccessAsync(response, "cancel order", cancellationToken).ConfigureAwait(false);
    }

    public async Task<IReadOnlyList<AlpacaPosition>> ListPositionsAsync(CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "v2/positions");
        return await SendAsync<List<AlpacaPosition>>(request, "list positions", cancellationToken).ConfigureAwait(false);
    }

    public async Task<AlpacaAccount> GetAccountAsync(CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "v2/account");
        return await SendAsync<AlpacaAccount>(request, "get account", cancellationToken).ConfigureAwait(false);
    }

    public async Task<AlpacaClock> GetClockAsync(CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, "v2/clock");
        return await SendAsync<AlpacaClock>(request, "get clock", cancellationToken).ConfigureAwait(false);
    }

    public async Task<IReadOnlyList<AlpacaCalendarDay>> ListCalendarAsync(DateOnly from, DateOnly to, CancellationToken cancellationToken)
    {
        var path = string.Create(CultureInfo.InvariantCulture, $"v2/calendar?start={from:yyyy-MM-dd}&end={to:yyyy-MM-dd}");
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        return await SendAsync<List<AlpacaCalendarDay>>(request, "list calendar", cancellationToken).ConfigureAwait(false);
    }

    /// <summary>RFC 3339 in UTC with all seven fractional digits .NET keeps.</summary>
    internal static string FormatTimestamp(DateTimeOffset value) =>
        value.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fffffff'Z'", CultureInfo.InvariantCulture);

    private async Task<T?> FindAsync<T>(string path, string operation, CancellationToken cancellationToken) where T : class
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        using var response = await SendRawAsync(request, operation, cancellationToken).ConfigureAwait(false);
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            return null;
        }

        await EnsureSuccessAsync(response, operation, cancellationToken).ConfigureAwait(false);
        return await ReadAsync<T>(response, operation, cancellationToken).ConfigureAwait(false);
    }

    private async Task<T> SendAsync<T>(HttpRequestMessage request, string operation, CancellationToken cancellationToken)
    {
        using var response = await SendRawAsync(request, operation, cancellationToken).ConfigureAwait(false);
        await EnsureSuccessAsync(response, operation, cancellationToken).ConfigureAwait(false);
        return await ReadAsync<T>(response, operation, cancellationToken).ConfigureAwait(false);
    }

    private async Task<HttpResponseMessage> SendRawAsync(HttpRequestMessage request, string operation, CancellationToken cancellationToken)
    {
        try
        {
            return await httpClient.SendAsync(request, HttpCompletionOption.ResponseContentRead, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            throw;
        }
        catch (Exception exception) when (exception is HttpRequestException or ExecutionRejectedException or OperationCanceledException)
        {
            // Timeouts (Polly's or HttpClient's), an open circuit or a broken connection: the outcome is unknown.
            throw new BrokerageUnavailableException($"Alpaca did not answer '{operation}': {exception.Message}", exception);
        }
    }

    private static async Task<T> ReadAsync<T>(HttpResponseMessage response, string operation, CancellationToken cancellationToken)
    {
        try
        {
            return await response.Content.ReadFromJsonAsync<T>(AlpacaJson.Options, cancellationToken).ConfigureAwait(false)
                ?? throw new BrokerageException($"Alpaca answered '{operation}' with an empty body.");
        }
        catch (JsonException exception)
        {
            throw new BrokerageException($"Alpaca answered '{operation}' with JSON that does not match its API: {exception.Message}", inner: exception);
        }
    }

    private async Task EnsureSuccessAsync(HttpResponseMessage response, string operation, CancellationToken cancellationToken)
    {
        if (response.IsSuccessStatusCode)
        {
            return;
        }

        var error = await ReadErrorAsync(response, cancellationToken).ConfigureAwait(false);
        var status = (int)response.StatusCode;
        var message = $"Alpaca refused '{operation}' with {status} ({error.Code?.ToString(CultureInfo.InvariantCulture) ?? "no code"}): {error.Message}";
        throw response.StatusCode switch
        {
            HttpStatusCode.Forbidden when Mentions(error, "buying power") => new InsufficientBuyingPowerException(message),
            HttpStatusCode.Forbidden when Mentions(error, "qty") || Mentions(error, "shares") => new InsufficientSharesException(message),
            HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden => new BrokerageUnauthorizedException(message),
            HttpStatusCode.NotFound => new BrokerageNotFoundException(message),
            HttpStatusCode.BadRequest or HttpStatusCode.UnprocessableEntity => new InvalidOrderException(message),
            HttpStatusCode.TooManyRequests => new BrokerageRateLimitedException(message, RetryAfter(response)),
            HttpStatusCode.RequestTimeout or >= HttpStatusCode.InternalServerError => new BrokerageUnavailableException(message),
            _ => new BrokerageException(message),
        };
    }

    private static bool Mentions(AlpacaError error, string words) =>
        error.Message?.Contains(words, StringComparison.OrdinalIgnoreCase) == true;

    private TimeSpan? RetryAfter(HttpResponseMessage response)
    {
        if (response.Headers.RetryAfter?.Delta is { } delta)
        {
            return delta;
        }

        return response.Headers.TryGetValues("X-RateLimit-Reset", out var values)
            && long.TryParse(values.FirstOrDefault(), NumberStyles.Integer, CultureInfo.InvariantCulture, out var epochSeconds)
            ? DateTimeOffset.FromUnixTimeSeconds(epochSeconds) - timeProvider.GetUtcNow()
            : null;
    }

    private static async Task<AlpacaError> ReadErrorAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        var body = await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            return JsonSerializer.Deserialize<AlpacaError>(body, AlpacaJson.Options) ?? new AlpacaError(null, body);
        }
        catch (JsonException)
        {
            return new AlpacaError(null, string.IsNullOrWhiteSpace(body) ? response.ReasonPhrase : body);
        }
    }
}

/// <summary>Alpaca's 422 "client_order_id must be unique": an order with this id already landed.</summary>
internal sealed class DuplicateClientOrderIdException(string clientOrderId)
    : BrokerageException($"An order with client_order_id '{clientOrderId}' already exists at Alpaca.");
