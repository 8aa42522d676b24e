using System.Net;
using System.Net.Http.Headers;
using System.Security.Claims;
using System.Security.Cryptography;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using StockGod.Api.Identity;
using StockGod.Api.Tests.Support;
using StockGod.Trading.Domain.Users;

namespace StockGod.Api.Tests;

/// <summary>
/// The bearer handler validates a token once and then serves it from <see cref="ValidatedTokenCache"/> until the
/// token's own expiry, never longer; invalid tokens are never cached; each request gets its own identity.
/// </summary>
public sealed class ValidatedTokenCacheTests(ApiFactory factory) : IClassFixture<ApiFactory>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private static readonly SymmetricSecurityKey Key = new(RandomNumberGenerator.GetBytes(64));

    private static readonly TokenValidationParameters Parameters = new()
    {
        ValidIssuer = "stockgod",
        ValidAudience = "stockgod-api",
        IssuerSigningKey = Key,
    };

    [Fact]
    public async Task A_token_is_validated_once_and_served_from_the_cache_until_it_expires_never_longer()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var expires = time.GetUtcNow().AddMinutes(30);
        var token = Issue(expires);
        var inner = new CountingTokenHandler();
        var handler = new CachingTokenHandler(inner, new ValidatedTokenCache(time));

        Assert.True((await handler.ValidateTokenAsync(token, Parameters)).IsValid);
        time.Advance(TimeSpan.FromMinutes(29));
        Assert.True((await handler.ValidateTokenAsync(token, Parameters)).IsValid);
        Assert.Equal(1, inner.Validations);

        // At the token's expiry the entry is gone (the validator's clock skew is not extended to the cache): the next
        // request goes through full validation again.
        time.SetUtcNow(new DateTimeOffset(new JsonWebToken(token).ValidTo, TimeSpan.Zero));
        await handler.ValidateTokenAsync(token, Parameters);
        Assert.Equal(2, inner.Validations);
    }

    [Fact]
    public async Task An_invalid_token_is_never_cached()
    {
        var cache = new ValidatedTokenCache(TimeProvider.System);
        var inner = new CountingTokenHandler();
        var handler = new CachingTokenHandler(inner, cache);
        var forged = Tamper(Issue(DateTimeOffset.UtcNow.AddMinutes(30)));

        Assert.False((await handler.ValidateTokenAsync(forged, Parameters)).IsValid);
        Assert.False((await handler.ValidateTokenAsync(forged, Parameters)).IsValid);

        Assert.Equal(2, inner.Validations);
        Assert.Equal(0, cache.Count);
    }

    [Fact]
    public async Task Each_validation_gets_its_own_identity()
    {
        var handler = new CachingTokenHandler(new CountingTokenHandler(), new ValidatedTokenCache(TimeProvider.System));
        var token = Issue(DateTimeOffset.UtcNow.AddMinutes(30));

        var first = await handler.ValidateTokenAsync(token, Parameters);
        first.ClaimsIdentity.AddClaim(new Claim(UserClaims.Role, Roles.Operator));
        var second = await handler.ValidateTokenAsync(token, Parameters);

        Assert.NotSame(first.ClaimsIdentity, second.ClaimsIdentity);
        Assert.DoesNotContain(second.ClaimsIdentity.Claims, c => c.Type == UserClaims.Role && c.Value == Roles.Operator);
        Assert.Equal("someone@stockgod.test", second.ClaimsIdentity.FindFirst(UserClaims.Email)?.Value);
    }

    [Fact]
    public async Task A_full_cache_still_validates_new_tokens_without_keeping_them()
    {
        var cache = new ValidatedTokenCache(TimeProvider.System) { Capacity = 2 };
        var handler = new CachingTokenHandler(new CountingTokenHandler(), cache);
        var expires = DateTimeOffset.UtcNow.AddMinutes(30);

        foreach (var token in new[] { Issue(expires), Issue(expires), Issue(expires) })
        {
            Assert.True((await handler.ValidateTokenAsync(token, Parameters)).IsValid);
        }

        Assert.Equal(2, cache.Count);
    }

    [Fact]
    public async Task Through_the_api_a_cached_token_is_reused_and_a_tampered_one_is_still_refused()
    {
        var user = await factory.CreateUserAsync();
        var cache = factory.Services.GetRequiredService<ValidatedTokenCache>();

        (await user.Http.GetAsync("/api/v1/portfolios", Ct)).EnsureSuccessStatusCode();
        Assert.True(cache.TryGet(user.AccessToken, out var cached));
        (await user.Http.GetAsync("/api/v1/portfolios", Ct)).EnsureSuccessStatusCode();

        using var forged = factory.CreateClient();
        forged.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", Tamper(user.AccessToken));
        Assert.Equal(HttpStatusCode.Unauthorized, (await forged.GetAsync("/api/v1/portfolios", Ct)).StatusCode);
        Assert.Equal(user.Id.ToString(), cached.ClaimsIdentity.FindFirst(UserClaims.UserId)?.Value);
    }

    private static string Issue(DateTimeOffset expires) => new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
    {
        Issuer = "stockgod",
        Audience = "stockgod-api",
        IssuedAt = DateTime.UtcNow.AddMinutes(-1),
        NotBefore = DateTime.UtcNow.AddMinutes(-1),
        Expires = expires.UtcDateTime,
        Subject = new ClaimsIdentity(UserClaims.For(Guid.NewGuid(), "someone@stockgod.test", "Someone", [Roles.User])),
        SigningCredentials = new SigningCredentials(Key, SecurityAlgorithms.HmacSha256),
    });

    /// <summary>The same header and payload with another signature.</summary>
    private static string Tamper(string token)
    {
        var lastDot = token.LastIndexOf('.');
        return token[..(lastDot + 1)] + Base64UrlEncoder.Encode(RandomNumberGenerator.GetBytes(32));
    }

    private sealed class CountingTokenHandler : TokenHandler
    {
        private readonly JsonWebTokenHandler _inner = new();
        private int _validations;

        public int Validations => _validations;

        public override Task<TokenValidationResult> ValidateTokenAsync(string token, TokenValidationParameters validationParameters)
        {
            Interlocked.Increment(ref _validations);
            return _inner.ValidateTokenAsync(token, validationParameters);
        }
    }
}
