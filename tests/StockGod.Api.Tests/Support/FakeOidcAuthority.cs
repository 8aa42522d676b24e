using System.Net;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace StockGod.Api.Tests.Support;

/// <summary>
/// A minimal OpenID Connect authority on Kestrel on loopback: its discovery document and its JWKS (one RSA key made
/// at start), and tokens signed with that key, as an external identity provider issues them.
/// </summary>
public sealed class FakeOidcAuthority : IAsyncDisposable
{
    private const string KeyId = "test-key-1";

    private readonly WebApplication _app;
    private readonly RSA _rsa;

    private FakeOidcAuthority(WebApplication app, RSA rsa, string issuer)
    {
        _app = app;
        _rsa = rsa;
        Issuer = issuer;
    }

    /// <summary>The authority's address, which is also its issuer.</summary>
    public string Issuer { get; }

    public static async Task<FakeOidcAuthority> StartAsync()
    {
        var rsa = RSA.Create(2048);
        var builder = WebApplication.CreateSlimBuilder();
        // HTTP/1.1 as identity providers serve it (the test folder's appsettings may default Kestrel to HTTP/2 only).
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0, listen => listen.Protocols = HttpProtocols.Http1));
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        var app = builder.Build();
        var key = rsa.ExportParameters(includePrivateParameters: false);
        string? issuer = null;
        app.MapGet("/.well-known/openid-configuration", () => Results.Json(new Dictionary<string, object>
        {
            ["issuer"] = issuer!,
            ["jwks_uri"] = $"{issuer}/jwks",
            ["id_token_signing_alg_values_supported"] = new[] { "RS256" },
        }));
        app.MapGet("/jwks", () => Results.Json(new
        {
            keys = new[]
            {
                new Dictionary<string, string>
                {
                    ["kty"] = "RSA",
                    ["use"] = "sig",
                    ["alg"] = "RS256",
                    ["kid"] = KeyId,
                    ["n"] = Base64UrlEncoder.Encode(key.Modulus),
                    ["e"] = Base64UrlEncoder.Encode(key.Exponent),
                },
            },
        }));
        await app.StartAsync();
        issuer = app.Urls.Single().TrimEnd('/');
        return new FakeOidcAuthority(app, rsa, issuer);
    }

    /// <summary>A token for <paramref name="email"/>; issuer, audience and signing key may be overridden to forge a bad one.</summary>
    public string IssueToken(
        string email, string audience, string[]? roles = null, string? issuer = null, RSA? signingKey = null, IReadOnlyDictionary<string, object>? extraClaims = null)
    {
        var claims = new Dictionary<string, object>(extraClaims ?? new Dictionary<string, object>()) { ["email"] = email, ["name"] = "External User" };
        if (roles is not null)
        {
            claims["roles"] = roles;
        }

        return new JsonWebTokenHandler().CreateToken(new SecurityTokenDescriptor
        {
            Issuer = issuer ?? Issuer,
            Audience = audience,
            Claims = claims,
            Subject = new System.Security.Claims.ClaimsIdentity([new System.Security.Claims.Claim("sub", $"ext|{email}")]),
            Expires = DateTime.UtcNow.AddMinutes(10),
            SigningCredentials = new SigningCredentials(new RsaSecurityKey(signingKey ?? _rsa) { KeyId = KeyId }, SecurityAlgorithms.RsaSha256),
        });
    }

    public async ValueTask DisposeAsync()
    {
        await _app.DisposeAsync();
        _rsa.Dispose();
    }
}
