namespace StockGod.Api.Identity;

/// <summary>The <c>Jwt</c> section: the embedded token issuer, or an external OpenID Connect authority.</summary>
public sealed class JwtOptions
{
    public const string SectionName = "Jwt";

    public string Issuer { get; set; } = "stockgod";

    public string Audience { get; set; } = "stockgod-api";

    /// <summary>Base64 of at least 32 random bytes. Absent in Development: generated once, kept outside the repository.</summary>
    public string? SigningKey { get; set; }

    /// <summary>Where the Development key is kept; defaults to the user's application data folder.</summary>
    public string? DevelopmentKeyPath { get; set; }

    /// <summary>When set, tokens are validated against this OpenID Connect authority instead of the embedded key.</summary>
    public string? Authority { get; set; }

    /// <summary>
    /// With an external authority: the token claim that carries StockGod roles (e.g. <c>roles</c> or <c>groups</c>);
    /// values other than StockGod's role names are ignored. Unset: roles are StockGod's own, kept per user.
    /// </summary>
    public string? RoleClaim { get; set; }

    /// <summary>The authority's metadata must come over HTTPS; only a local test authority turns this off.</summary>
    public bool RequireHttpsMetadata { get; set; } = true;

    public TimeSpan TokenLifetime { get; set; } = TimeSpan.FromHours(1);

    public bool UsesExternalAuthority => !string.IsNullOrWhiteSpace(Authority);
}
