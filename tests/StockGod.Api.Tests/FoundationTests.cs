using System.Net;
using System.Net.Http.Json;
using System.Text;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using StockGod.Api.Tests.Support;
using Microsoft.EntityFrameworkCore;
using StockGod.Trading.Domain.Users;
using StockGod.Trading.Persistence;

namespace StockGod.Api.Tests;

public sealed class FoundationTests(ApiFactory factory) : IClassFixture<ApiFactory>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData("{\"name\": \"a\", ")]
    [InlineData("{\"name\": 12}")]
    [InlineData("not json at all")]
    public async Task Malformed_json_is_a_400_problem_never_a_500(string body)
    {
        var user = await factory.CreateUserAsync();

        var response = await user.Http.PostAsync("/api/v1/api-keys", new StringContent(body, Encoding.UTF8, "application/json"), Ct);

        var problem = await response.AssertProblemAsync(HttpStatusCode.BadRequest, "https://stockgod.dev/problems/malformed-request");
        Assert.False(string.IsNullOrWhiteSpace(problem.GetProperty("detail").GetString()));
    }

    [Fact]
    public async Task A_wrong_type_names_the_field_that_could_not_be_read()
    {
        var user = await factory.CreateUserAsync();

        var response = await user.Http.PostAsync("/api/v1/api-keys", new StringContent("{\"name\": {\"nested\": true}}", Encoding.UTF8, "application/json"), Ct);

        var problem = await response.AssertProblemAsync(HttpStatusCode.BadRequest, "https://stockgod.dev/problems/malformed-request");
        Assert.Contains("$.name", problem.GetProperty("detail").GetString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_missing_body_is_a_400_problem()
    {
        var user = await factory.CreateUserAsync();

        var response = await user.Http.PostAsync("/api/v1/api-keys", new StringContent(string.Empty, Encoding.UTF8, "application/json"), Ct);

        await response.AssertProblemAsync(HttpStatusCode.BadRequest, "https://stockgod.dev/problems/malformed-request");
    }

    [Fact]
    public async Task A_body_that_is_not_json_content_is_refused_with_a_4xx_problem()
    {
        var user = await factory.CreateUserAsync();

        var response = await user.Http.PostAsync("/api/v1/api-keys", new StringContent("name=x", Encoding.UTF8, "application/x-www-form-urlencoded"), Ct);

        Assert.True((int)response.StatusCode is >= 400 and < 500, response.StatusCode.ToString());
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task A_body_above_the_size_limit_is_a_413_problem()
    {
        var user = await factory.CreateUserAsync();
        var huge = "{\"name\": \"" + new string('x', 70 * 1024) + "\"}";

        var response = await user.Http.PostAsync("/api/v1/api-keys", new StringContent(huge, Encoding.UTF8, "application/json"), Ct);

        await response.AssertProblemAsync(HttpStatusCode.RequestEntityTooLarge, "https://stockgod.dev/problems/payload-too-large");
    }

    [Fact]
    public async Task Validation_errors_are_listed_per_field()
    {
        var client = factory.CreateClient();

        var response = await client.PostAsJsonAsync("/api/v1/accounts/register", new { email = "not-an-email", password = "short" }, Ct);

        await response.AssertValidationProblemAsync("email", "password", "display_name");
    }

    [Fact]
    public async Task An_unexpected_failure_is_a_500_problem_with_a_trace_id_and_no_internals()
    {
        await using var failing = factory.WithWebHostBuilder(builder => builder.ConfigureTestServices(services =>
            services.AddScoped<IPasswordHasher<User>, ExplodingPasswordHasher>()));
        var client = failing.CreateClient();

        var response = await client.PostAsJsonAsync("/api/v1/accounts/register",
            new { email = $"x{Guid.NewGuid():N}@stockgod.test", password = "a long enough password", display_name = "X" }, Ct);

        var problem = await response.AssertProblemAsync(HttpStatusCode.InternalServerError, "https://stockgod.dev/problems/unexpected");
        var text = problem.ToString();
        Assert.DoesNotContain(ExplodingPasswordHasher.Secret, text, StringComparison.Ordinal);
        Assert.DoesNotContain("   at ", text, StringComparison.Ordinal);
        Assert.DoesNotContain("Exception", text, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Unknown_routes_and_missing_tokens_answer_problems_with_stable_types()
    {
        var client = factory.CreateClient();

        await (await client.GetAsync("/api/v1/accounts/me", Ct)).AssertProblemAsync(HttpStatusCode.Unauthorized, "https://stockgod.dev/problems/unauthorized");
        await (await client.GetAsync("/api/v1/nothing-here", Ct)).AssertProblemAsync(HttpStatusCode.NotFound, "https://stockgod.dev/problems/not-found");
    }

    [Fact]
    public async Task Responses_carry_security_headers_and_cors_allows_no_origin_by_default()
    {
        var client = factory.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Options, "/api/v1/accounts/me");
        request.Headers.Add("Origin", "https://evil.example");
        request.Headers.Add("Access-Control-Request-Method", "GET");

        var response = await client.SendAsync(request, Ct);

        Assert.False(response.Headers.Contains("Access-Control-Allow-Origin"));
        Assert.Equal("nosniff", response.Headers.GetValues("X-Content-Type-Options").Single());
        Assert.Equal("DENY", response.Headers.GetValues("X-Frame-Options").Single());
        Assert.Contains("default-src 'none'", response.Headers.GetValues("Content-Security-Policy").Single(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task The_openapi_document_describes_decimals_as_strings_with_a_pattern_and_scalar_is_served()
    {
        var client = factory.CreateClient();

        var document = await (await client.GetAsync("/openapi/v1.json", Ct)).ReadJsonAsync();
        var scalar = await client.GetAsync("/scalar/", Ct);

        Assert.True(document.GetProperty("paths").TryGetProperty("/api/v1/accounts/register", out _));
        var decimals = FindDecimalSchemas(document).ToList();
        Assert.NotEmpty(decimals);
        Assert.All(decimals, schema => Assert.Equal(@"^-?[0-9]+(\.[0-9]+)?$", schema.GetProperty("pattern").GetString()));
        Assert.Equal(HttpStatusCode.OK, scalar.StatusCode);
    }

    [Fact]
    public async Task Migrations_ran_at_start_up_before_the_first_request_and_postgres_reports_healthy()
    {
        await using var scope = factory.Services.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<TradingDbContext>();

        var pending = await db.Database.GetPendingMigrationsAsync(Ct);
        var health = await (await factory.CreateClient().GetAsync("/health", Ct)).ReadJsonAsync();

        Assert.Empty(pending);
        Assert.Equal(db.Database.GetMigrations().Last(), (await db.Database.GetAppliedMigrationsAsync(Ct)).Last());
        Assert.Equal("Healthy", health.GetProperty("checks").GetProperty("PostgreSql").GetProperty("status").GetString());
    }

    private static IEnumerable<System.Text.Json.JsonElement> FindDecimalSchemas(System.Text.Json.JsonElement element)
    {
        if (element.ValueKind == System.Text.Json.JsonValueKind.Object)
        {
            if (element.TryGetProperty("format", out var format) && format.GetString() == "decimal")
            {
                yield return element;
            }

            foreach (var property in element.EnumerateObject())
            {
                foreach (var found in FindDecimalSchemas(property.Value))
                {
                    yield return found;
                }
            }
        }
        else if (element.ValueKind == System.Text.Json.JsonValueKind.Array)
        {
            foreach (var item in element.EnumerateArray())
            {
                foreach (var found in FindDecimalSchemas(item))
                {
                    yield return found;
                }
            }
        }
    }

    private sealed class ExplodingPasswordHasher : IPasswordHasher<User>
    {
        public const string Secret = "connection=secret-internal-detail";

        public string HashPassword(User user, string password) => throw new InvalidOperationException(Secret);

        public PasswordVerificationResult VerifyHashedPassword(User user, string hashedPassword, string providedPassword) =>
            throw new InvalidOperationException(Secret);
    }
}
