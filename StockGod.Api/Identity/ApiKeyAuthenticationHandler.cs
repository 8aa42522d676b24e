using System.Security.Claims;
using System.Security.Cryptography;
using System.Text;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Authentication;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using StockGod.Trading.Domain.Users;
using StockGod.Trading.Persistence;

namespace StockGod.Api.Identity;

/// <summary>Authenticates programs by the <c>X-Api-Key</c> header: the key's SHA-256 is looked up among active keys.</summary>
internal sealed class ApiKeyAuthenticationHandler(
    IOptionsMonitor<AuthenticationSchemeOptions> options,
    ILoggerFactory logger,
    UrlEncoder encoder,
    TradingDbContext db,
    TimeProvider time)
    : AuthenticationHandler<AuthenticationSchemeOptions>(options, logger, encoder)
{
    public const string SchemeName = "ApiKey";
    public const string HeaderName = "X-Api-Key";

    protected override async Task<AuthenticateResult> HandleAuthenticateAsync()
    {
        if (!Request.Headers.TryGetValue(HeaderName, out var values) || values.Count != 1 || string.IsNullOrEmpty(values[0]))
        {
            return AuthenticateResult.NoResult();
        }

        var hash = HashSecret(values[0]!);
        var match = await db.Set<ApiKey>()
            .Where(k => k.SecretHash == hash && k.RevokedAt == null)
            .Join(db.Users, k => k.UserId, u => u.Id, (k, u) => new { Key = k, User = u })
            .FirstOrDefaultAsync(Context.RequestAborted);
        if (match is null)
        {
            return AuthenticateResult.Fail("Invalid API key.");
        }

        var roles = await db.Set<UserRole>().Where(r => r.UserId == match.User.Id).Select(r => r.Role).ToListAsync(Context.RequestAborted);
        await db.Set<ApiKey>().Where(k => k.Id == match.Key.Id)
            .ExecuteUpdateAsync(s => s.SetProperty(k => k.LastUsedAt, time.GetUtcNow()), Context.RequestAborted);

        var identity = new ClaimsIdentity(UserClaims.For(match.User.Id, match.User.Email, match.User.DisplayName, roles), SchemeName, UserClaims.Name, UserClaims.Role);
        return AuthenticateResult.Success(new AuthenticationTicket(new ClaimsPrincipal(identity), SchemeName));
    }

    public static byte[] HashSecret(string secret) => SHA256.HashData(Encoding.UTF8.GetBytes(secret));
}
