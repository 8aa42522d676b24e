using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;

namespace StockGod.LoadTests;

/// <summary>
/// The Api under a user's mix, through its public REST API only: each caller has a portfolio of its own (positions
/// bought through the API) and runs GET portfolio, list orders, POST market order (1 share of a held symbol, buying
/// and selling in turn, so the portfolio stays the same size) and GET quotes of 10 symbols through
/// <c>/api/v1/market/quotes</c> (which asks MarketData).
/// </summary>
public sealed class ApiScenario : ILoadScenario, IDisposable
{
    private static readonly string QuotesPath = $"/api/v1/market/quotes?symbols={string.Join(',', LoadSymbols.Quoted)}";

    private readonly HttpClient _client;
    private readonly string[] _portfolioPaths;
    private readonly IReadOnlyList<string> _held;
    private readonly long[] _ordersPlaced;

    private ApiScenario(HttpClient client, string[] portfolioPaths, IReadOnlyList<string> held)
    {
        _client = client;
        _portfolioPaths = portfolioPaths;
        _held = held;
        _ordersPlaced = new long[portfolioPaths.Length];
    }

    public string Name => "api";

    public IReadOnlyList<string> Operations { get; } =
        ["GET /portfolios/{id}", "GET /portfolios/{id}/orders", "POST /portfolios/{id}/orders (market)", "GET /market/quotes (10)"];

    /// <summary>Registers a user, signs in and gives every caller a portfolio with positions (10 shares each), all through the API.</summary>
    public static async Task<ApiScenario> CreateAsync(Uri api, int callers, int positions, TextWriter progress, CancellationToken cancellationToken)
    {
        IReadOnlyList<string> held = [.. LoadSymbols.All.Take(positions)];
        var client = new HttpClient(new SocketsHttpHandler { MaxConnectionsPerServer = callers, PooledConnectionLifetime = Timeout.InfiniteTimeSpan })
        {
            BaseAddress = api,
            Timeout = TimeSpan.FromSeconds(30),
        };
        try
        {
            var email = $"load-{Guid.NewGuid():N}@stockgod.test";
            var password = Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(18));
            await RequestJsonAsync(client, HttpMethod.Post, "/api/v1/accounts/register", new { email, password, display_name = "Load" }, cancellationToken);
            var token = await RequestJsonAsync(client, HttpMethod.Post, "/api/v1/accounts/token", new { email, password }, cancellationToken);
            client.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", token.GetProperty("access_token").GetString());

            await progress.WriteLineAsync($"Creating {callers} portfolios with {held.Count} positions each through the Api ...");
            var portfolioPaths = await Task.WhenAll(Enumerable.Range(0, callers).Select(async caller =>
            {
                var portfolio = await RequestJsonAsync(client, HttpMethod.Post, "/api/v1/portfolios",
                    new { name = $"load-{caller}", starting_cash = "10000000" }, cancellationToken);
                var path = $"/api/v1/portfolios/{portfolio.GetProperty("id").GetGuid()}";
                foreach (var symbol in held)
                {
                    var order = await RequestJsonAsync(client, HttpMethod.Post, $"{path}/orders", MarketOrder(symbol, "buy", 10), cancellationToken);
                    if (order.GetProperty("status").GetString() != "filled")
                    {
                        throw new InvalidOperationException($"A market order of the set-up was not filled: {order}");
                    }
                }

                return path;
            }));
            return new ApiScenario(client, portfolioPaths, held);
        }
        catch
        {
            client.Dispose();
            throw;
        }
    }

    public Task ExecuteAsync(int caller, int operation, CancellationToken cancellationToken)
    {
        var portfolio = _portfolioPaths[caller];
        return operation switch
        {
            0 => SendAsync(_client, HttpMethod.Get, portfolio, body: null, cancellationToken),
            1 => SendAsync(_client, HttpMethod.Get, $"{portfolio}/orders?limit=50", body: null, cancellationToken),
            2 => SendAsync(_client, HttpMethod.Post, $"{portfolio}/orders", NextOrder(caller), cancellationToken),
            _ => SendAsync(_client, HttpMethod.Get, QuotesPath, body: null, cancellationToken),
        };
    }

    /// <summary>Buys then sells one share, going round the held symbols.</summary>
    private object NextOrder(int caller)
    {
        var placed = _ordersPlaced[caller]++;
        return MarketOrder(_held[(int)(placed / 2 % _held.Count)], placed % 2 == 0 ? "buy" : "sell", 1);
    }

    private static object MarketOrder(string symbol, string side, int qty) =>
        new { symbol, side, type = "market", time_in_force = "day", qty = qty.ToString(System.Globalization.CultureInfo.InvariantCulture) };

    /// <summary>Sends a set-up request and returns its JSON answer.</summary>
    private static async Task<JsonElement> RequestJsonAsync(HttpClient client, HttpMethod method, string path, object body, CancellationToken cancellationToken) =>
        JsonSerializer.Deserialize<JsonElement>(await SendAsync(client, method, path, body, cancellationToken));

    /// <summary>Sends a request and reads the whole answer; any status but 2xx is a failure.</summary>
    private static async Task<string> SendAsync(HttpClient client, HttpMethod method, string path, object? body, CancellationToken cancellationToken)
    {
        using var request = new HttpRequestMessage(method, path);
        if (body is not null)
        {
            request.Content = JsonContent.Create(body);
        }

        using var response = await client.SendAsync(request, cancellationToken);
        var text = await response.Content.ReadAsStringAsync(cancellationToken);
        if (!response.IsSuccessStatusCode)
        {
            throw new LoadFailureException($"HTTP {(int)response.StatusCode}", $"{method} {path}: {Truncate(text)}");
        }

        return text;
    }

    private static string Truncate(string text) => text.Length <= 300 ? text : text[..300] + " …";

    public void Dispose() => _client.Dispose();
}
