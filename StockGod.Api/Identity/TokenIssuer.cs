using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;
using StockGod.Trading.Domain.Users;

namespace StockGod.Api.Identity;

/// <summary>
/// Issues the embedded issuer's access tokens (HMAC-SHA256 JWTs). With an external authority there is no signing key
/// and <see cref="CanIssue"/> is false: that authority issues the tokens.
/// </summary>
public sealed class TokenIssuer(IOptions<JwtOptions> options, TimeProvider time, SigningKey? signingKey = null)
{
    private readonly JsonWebTokenHandler _handler = new();

    public bool CanIssue => signingKey is not null;

    public (string Token, DateTimeOffset ExpiresAt) Issue(User user, IEnumerable<string> roles)
    {
        var key = signingKey?.Key ?? throw new InvalidOperationException("Tokens are issued by the external authority.");
        var now = time.GetUtcNow();
        var expires = now + options.Value.TokenLifetime;
        var token = _handler.CreateToken(new SecurityTokenDescriptor
        {
            Issuer = options.Value.Issuer,
            Audience = options.Value.Audience,
            IssuedAt = now.UtcDateTime,
            NotBefore = now.UtcDateTime,
            Expires = expires.UtcDateTime,
            Subject = new System.Security.Claims.ClaimsIdentity(UserClaims.For(user.Id, user.Email, user.DisplayName, roles)),
            SigningCredentials = new SigningCredentials(key, SecurityAlgorithms.HmacSha256),
        });
        return (token, expires);
    }
}

/// <summary>The resolved signing key, as a service so the issuer and the bearer validation share one instance.</summary>
public sealed record SigningKey(SymmetricSecurityKey Key);
