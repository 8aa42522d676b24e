using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Http.Metadata;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using StockGod.Api.Tests.Support;

namespace StockGod.Api.Tests;

/// <summary>
/// Ten thousand generated malformed or hostile requests spread over every /api/v1 endpoint the app maps (new endpoints
/// join automatically): junk route values, query strings, bodies and headers. No answer may be a 5xx, and every error
/// must be an RFC 9457 ProblemDetails. The generator is seeded, so a failure reproduces; its message lists the
/// offending requests.
/// </summary>
public sealed partial class HostileInputTests(ApiFactory factory) : IClassFixture<ApiFactory>
{
    private const int RequestCount = 10_000;

    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task Ten_thousand_hostile_requests_get_no_5xx_and_every_error_is_a_problem_details()
    {
        var owner = await factory.CreateUserAsync();
        var portfolio = await owner.Http.PostAsJsonAsync("/api/v1/portfolios", new { name = "Target" }, Ct);
        var portfolioId = (await portfolio.ReadJsonAsync()).GetProperty("id").GetGuid();
        // A position keeps the portfolio from being deleted by a generated DELETE halfway through.
        await Seed.BuyAsync(factory, portfolioId, "AAPL", 3m, 100m);
        var orderId = await Seed.OrderAsync(factory, portfolioId, "AAPL", DateTimeOffset.UtcNow);
        var realIds = new[] { portfolioId.ToString(), orderId.ToString() };

        var endpoints = ApiEndpoints().ToList();
        Assert.NotEmpty(endpoints);
        var generator = new HostileRequestGenerator(new Random(20261123), owner.AccessToken, realIds);
        var client = factory.CreateClient();
        var failures = new List<string>();
        var statuses = new Dictionary<int, int>();

        for (var i = 0; i < RequestCount; i++)
        {
            var (method, pattern, acceptsBody) = endpoints[i % endpoints.Count];
            using var request = generator.Create(method, pattern, acceptsBody);
            var description = $"#{i} {method} {request.RequestUri} [{generator.LastMutation}]";
            using var response = await client.SendAsync(request, Ct);
            var status = (int)response.StatusCode;
            statuses[status] = statuses.GetValueOrDefault(status) + 1;

            if (status >= 500)
            {
                failures.Add($"{description} → {status}: {Truncate(await response.Content.ReadAsStringAsync(Ct))}");
            }
            else if (status >= 400 && await NotAProblemAsync(response, status) is { } why)
            {
                failures.Add($"{description} → {status} without a ProblemDetails: {why}");
            }
        }

        Assert.True(failures.Count == 0,
            $"{failures.Count} of {RequestCount} requests failed; statuses {string.Join(", ", statuses.OrderBy(s => s.Key).Select(s => $"{s.Key}×{s.Value}"))}:\n"
            + string.Join('\n', failures.Take(25)));
        // The run must have reached the handlers' validation, not only the authentication wall.
        Assert.True(statuses.GetValueOrDefault(400) > 500, $"Only {statuses.GetValueOrDefault(400)} validation answers");
        // And the owner's data is intact.
        var after = await owner.Http.GetAsync($"/api/v1/portfolios/{portfolioId}", Ct);
        Assert.Equal(HttpStatusCode.OK, after.StatusCode);
    }

    private static async Task<string?> NotAProblemAsync(HttpResponseMessage response, int status)
    {
        if (response.Content.Headers.ContentType?.MediaType != "application/problem+json")
        {
            return $"content type {response.Content.Headers.ContentType?.MediaType ?? "none"}";
        }

        var body = await response.Content.ReadAsStringAsync(Ct);
        try
        {
            using var problem = JsonDocument.Parse(body);
            return problem.RootElement.TryGetProperty("status", out var value) && value.GetInt32() == status
                && problem.RootElement.TryGetProperty("title", out _)
                ? null
                : $"status or title missing: {Truncate(body)}";
        }
        catch (JsonException)
        {
            return $"not JSON: {Truncate(body)}";
        }
    }

    private static string Truncate(string text) => text.Length <= 300 ? text : text[..300] + "…";

    private IEnumerable<(string Method, string Pattern, bool AcceptsBody)> ApiEndpoints() =>
        factory.Services.GetRequiredService<EndpointDataSource>().Endpoints
            .OfType<RouteEndpoint>()
            .Where(e => e.RoutePattern.RawText?.StartsWith("/api/v1/", StringComparison.Ordinal) == true)
            .SelectMany(e => (e.Metadata.GetMetadata<IHttpMethodMetadata>()?.HttpMethods ?? [])
                .Select(m => (m, e.RoutePattern.RawText!.TrimEnd('/'), e.Metadata.GetMetadata<IAcceptsMetadata>() is not null)))
            // Deleting the account would end the run's identity; it is still reached with bad credentials below
            // through every other endpoint's authentication path.
            .Where(e => !(e.m == "DELETE" && e.Item2 == "/api/v1/accounts/me"))
            .OrderBy(e => e.Item2, StringComparer.Ordinal).ThenBy(e => e.m, StringComparer.Ordinal);

    /// <summary>Builds one hostile request at a time from a seeded <see cref="Random"/>.</summary>
    private sealed partial class HostileRequestGenerator(Random random, string accessToken, string[] realIds)
    {
        private static readonly string[] HostileStrings =
        [
            "", " ", "'; DROP TABLE users; --", "\" OR 1=1 --", "<script>alert(1)</script>", "{{7*7}}", "${jndi:ldap://x/a}",
            "../../../../etc/passwd", "%00", "\0", "\u202Eevil", "\uFEFFAAPL", "A\u0301\u0301\u0301", "😀📈💸", "\u0645\u0631\u062D\u0628\u0627",
            "NaN", "Infinity", "-0", "1e400", "-1", "0", "79228162514264337593543950336", "0.0000000000000000000000000001",
            "null", "true", "[]", "{}", "AAPL", "BRK.B", "aapl", "A-B", "A..B", ".", "TOOLONGSYMBOLNAME", "2026-02-30", "9999-12-31T23:59:59Z",
            "00000000-0000-0000-0000-000000000000", "market", "limit", "stop_limit", "buy", "sell", "gtc", "live", "paper",
        ];

        private static readonly string[] FieldNames =
        [
            "name", "symbol", "symbols", "side", "type", "qty", "quantity", "notional", "limit_price", "stop_price", "time_in_force",
            "email", "password", "display_name", "enabled", "parameters", "universe", "strategy", "threshold", "condition",
            "trading_mode", "confirm", "confirmation", "initial_cash", "start", "end", "from", "to", "note", "percent", "direction",
        ];

        private static readonly string[] QueryNames =
        [
            "symbols", "symbol", "status", "limit", "page_size", "cursor", "page_token", "from", "to", "start", "end", "timeframe",
            "format", "q", "job", "unread", "before", "after",
        ];

        public string LastMutation { get; private set; } = string.Empty;

        public HttpRequestMessage Create(string method, string pattern, bool acceptsBody)
        {
            var path = RouteParameter().Replace(pattern, _ => RouteValue());
            var mutations = new List<string>();
            if (random.Next(3) == 0)
            {
                path += "?" + string.Join('&', Enumerable.Range(0, random.Next(1, 4)).Select(_ =>
                    $"{Uri.EscapeDataString(Pick(QueryNames))}={Uri.EscapeDataString(HostileValueText())}"));
                mutations.Add("query");
            }

            var request = new HttpRequestMessage(new HttpMethod(method), path);
            mutations.Add(Authenticate(request));
            if (acceptsBody || random.Next(10) == 0)
            {
                mutations.Add(Body(request));
            }

            if (random.Next(8) == 0)
            {
                mutations.Add(HostileHeader(request));
            }

            LastMutation = string.Join(", ", mutations);
            return request;
        }

        private string RouteValue() => random.Next(6) switch
        {
            0 => Pick(realIds),
            1 => RandomGuid().ToString(),
            // A NUL in the path never reaches an app: Kestrel rejects the request line (and TestServer throws).
            _ => Uri.EscapeDataString(HostileValueText().Replace("\0", string.Empty, StringComparison.Ordinal)) is { Length: > 0 } junk ? junk : "x",
        };

        private string Authenticate(HttpRequestMessage request)
        {
            switch (random.Next(10))
            {
                case 0:
                    return "no credentials";
                case 1:
                    request.Headers.TryAddWithoutValidation("Authorization", "Bearer " + HostileValueText());
                    return "junk bearer token";
                case 2:
                    // The real token with its signature broken.
                    request.Headers.TryAddWithoutValidation("Authorization", "Bearer " + accessToken[..^4] + "AAAA");
                    return "tampered token";
                case 3:
                    // Header and payload of the real token with alg "none" and no signature.
                    var parts = accessToken.Split('.');
                    var none = Convert.ToBase64String(Encoding.UTF8.GetBytes("""{"alg":"none","typ":"JWT"}""")).TrimEnd('=').Replace('+', '-').Replace('/', '_');
                    request.Headers.TryAddWithoutValidation("Authorization", $"Bearer {none}.{parts[1]}.");
                    return "alg none token";
                case 4:
                    request.Headers.TryAddWithoutValidation("X-Api-Key", HostileValueText());
                    return "junk api key";
                case 5:
                    request.Headers.TryAddWithoutValidation("Authorization", Pick(["Basic Zm9vOmJhcg==", "Bearer", "bearer  ", "Digest x", new string('A', 9000)]));
                    return "odd authorization scheme";
                default:
                    request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", accessToken);
                    return "valid token";
            }
        }

        private string Body(HttpRequestMessage request)
        {
            switch (random.Next(12))
            {
                case 0:
                    request.Content = new StringContent(Pick(["{", "{\"name\":", "{\"qty\": 1,}", "{'name': 'x'}", "[1,2", "{\"a\":NaN}", "/* */ {}", "\"unterminated", "{\"name\":\"x\"}}"]), Encoding.UTF8, "application/json");
                    return "malformed json";
                case 1:
                    request.Content = new StringContent(new string('[', 5_000) + new string(']', 5_000), Encoding.UTF8, "application/json");
                    return "deep nesting";
                case 2:
                    request.Content = new StringContent("{\"name\":\"" + new string('x', random.Next(10) == 0 ? 3_000_000 : 300_000) + "\"}", Encoding.UTF8, "application/json");
                    return "oversized body";
                case 3:
                    request.Content = new StringContent("name=x&qty=1", Encoding.UTF8, Pick(["text/plain", "application/xml", "application/x-www-form-urlencoded", "multipart/form-data"]));
                    return "wrong content type";
                case 4:
                    request.Content = new StringContent(Pick(["null", "[]", "42", "\"text\"", "true", ""]), Encoding.UTF8, "application/json");
                    return "json of the wrong shape";
                case 5:
                    request.Content = new ByteArrayContent([0xC3, 0x28, 0xA0, 0xA1, 0xFF, 0xFE, 0x7B]) { Headers = { ContentType = new MediaTypeHeaderValue("application/json") } };
                    return "invalid utf-8";
                default:
                    var body = new Dictionary<string, object?>();
                    foreach (var field in FieldNames.OrderBy(_ => random.Next()).Take(random.Next(1, 8)))
                    {
                        body[field] = HostileValue();
                    }

                    request.Content = JsonContent.Create(body);
                    return "hostile field values";
            }
        }

        private string HostileHeader(HttpRequestMessage request)
        {
            var (name, value) = random.Next(5) switch
            {
                0 => ("Idempotency-Key", Pick([new string('k', 5_000), "\u00e9\u00e8", " ", "a b c", HostileValueText()])),
                1 => ("Accept", Pick(["text/csv", "application/xml", "*/*;q=foo", "image/png", "\u00ff"])),
                2 => ("X-Forwarded-For", Pick(["not-an-ip", "999.999.999.999", "::1, ::1, ::1", new string('1', 2_000)])),
                3 => ("Origin", Pick(["http://evil.example", "null", "javascript:alert(1)"])),
                _ => ("X-Forwarded-Proto", Pick(["gopher", "", "https, http"])),
            };
            request.Headers.TryAddWithoutValidation(name, value);
            return "hostile " + name;
        }

        private object? HostileValue() => random.Next(9) switch
        {
            0 => random.Next(2) == 0 ? decimal.MaxValue : decimal.MinValue,
            1 => random.NextDouble() * Math.Pow(10, random.Next(-30, 300)) * (random.Next(2) == 0 ? -1 : 1),
            2 => random.Next(int.MinValue, int.MaxValue),
            3 => new string(Pick(['x', 'é', '\u0000', 'A']), random.Next(1_000, 70_000)),
            4 => new[] { HostileValueText(), HostileValueText() },
            5 => new Dictionary<string, object?> { [HostileValueText()] = HostileValueText() },
            6 => null,
            7 => random.Next(2) == 0,
            _ => HostileValueText(),
        };

        private string HostileValueText() => Pick(HostileStrings);

        private Guid RandomGuid()
        {
            Span<byte> bytes = stackalloc byte[16];
            random.NextBytes(bytes);
            return new Guid(bytes);
        }

        private T Pick<T>(IReadOnlyList<T> items) => items[random.Next(items.Count)];
    }

    [GeneratedRegex(@"\{(?<name>[A-Za-z]+)(:[a-z]+)?\}")]
    private static partial Regex RouteParameter();
}
