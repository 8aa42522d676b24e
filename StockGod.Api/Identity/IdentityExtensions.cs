using System.Security.Claims;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.EntityFrameworkCore;
using Microsoft.IdentityModel.Tokens;
using StockGod.Trading.Domain.Users;
using StockGod.Trading.Persistence;

namespace StockGod.Api.Identity;

internal static class IdentityExtensions
{
    public const string OperatorPolicy = "Operator";

    /// <summary>The default scheme: an <c>X-Api-Key</c> header selects the API key handler, anything else the bearer handler.</summary>
    private const string BearerOrApiKey = "BearerOrApiKey";

    public static void AddApiAuthentication(this IHostApplicationBuilder builder)
    {
        var section = builder.Configuration.GetSection(JwtOptions.SectionName);
        builder.Services.Configure<JwtOptions>(section);
        var jwt = section.Get<JwtOptions>() ?? new JwtOptions();

        builder.Services.AddScoped<Microsoft.AspNetCore.Identity.IPasswordHasher<User>, Microsoft.AspNetCore.Identity.PasswordHasher<User>>();
        builder.Services.AddScoped<ExternalUserProvisioner>();

        SigningKey? signingKey = null;
        if (!jwt.UsesExternalAuthority)
        {
            signingKey = new SigningKey(SigningKeyStore.Resolve(jwt, builder.Environment));
            builder.Services.AddSingleton(signingKey);
        }

        builder.Services.AddSingleton<TokenIssuer>();

        builder.Services.AddAuthentication(BearerOrApiKey)
            .AddPolicyScheme(BearerOrApiKey, BearerOrApiKey, options => options.ForwardDefaultSelector = context =>
                context.Request.Headers.ContainsKey(ApiKeyAuthenticationHandler.HeaderName)
                    ? ApiKeyAuthenticationHandler.SchemeName
                    : JwtBearerDefaults.AuthenticationScheme)
            .AddScheme<AuthenticationSchemeOptions, ApiKeyAuthenticationHandler>(ApiKeyAuthenticationHandler.SchemeName, null)
            .AddJwtBearer(options =>
            {
                options.MapInboundClaims = false;
                options.TokenValidationParameters = new TokenValidationParameters
                {
                    ValidIssuer = jwt.Issuer,
                    ValidAudience = jwt.Audience,
                    NameClaimType = UserClaims.Name,
                    RoleClaimType = UserClaims.Role,
                    ClockSkew = TimeSpan.FromSeconds(30),
                };
                if (signingKey is not null)
                {
                    options.TokenValidationParameters.IssuerSigningKey = signingKey.Key;
                }
                else
                {
                    options.Authority = jwt.Authority;
                    options.Audience = jwt.Audience;
                    options.RequireHttpsMetadata = jwt.RequireHttpsMetadata;
                    options.TokenValidationParameters.ValidIssuer = null;
                }

                options.Events = new JwtBearerEvents
                {
                    // Browsers cannot set headers on WebSocket requests: the hub takes the token from the query string.
                    OnMessageReceived = context =>
                    {
                        if (context.Request.Path.StartsWithSegments("/hubs")
                            && context.Request.Query.TryGetValue("access_token", out var token))
                        {
                            context.Token = token;
                        }

                        return Task.CompletedTask;
                    },
                    OnTokenValidated = context => signingKey is null
                        ? context.HttpContext.RequestServices.GetRequiredService<ExternalUserProvisioner>().AttachUserAsync(context)
                        : Task.CompletedTask,
                };
            });

        // The bearer handler validates each token once per lifetime, not once per request (see ValidatedTokenCache).
        builder.Services.AddSingleton<ValidatedTokenCache>();
        builder.Services.AddOptions<JwtBearerOptions>(JwtBearerDefaults.AuthenticationScheme)
            .Configure<ValidatedTokenCache>((options, cache) =>
            {
                var handlers = options.TokenHandlers.ToArray();
                options.TokenHandlers.Clear();
                foreach (var handler in handlers)
                {
                    options.TokenHandlers.Add(new CachingTokenHandler(handler, cache));
                }
            });

        builder.Services.AddAuthorizationBuilder()
            .AddPolicy(OperatorPolicy, policy => policy.RequireAuthenticatedUser().RequireRole(Roles.Operator));
    }
}

/// <summary>
/// With an external authority, a token names a person by its claims only: the StockGod user with the token's email is
/// found (or created on first sight) and its id and roles are added to the principal. Roles come from the token's
/// configured role claim (the authority decides who is an operator) or, without one, from StockGod's own records.
/// </summary>
internal sealed class ExternalUserProvisioner(TradingDbContext db, TimeProvider time, Microsoft.Extensions.Options.IOptions<JwtOptions> options)
{
    public async Task AttachUserAsync(TokenValidatedContext context)
    {
        var principal = context.Principal!;
        var email = principal.FindFirstValue(UserClaims.Email);
        if (string.IsNullOrWhiteSpace(email) || email.Length > User.MaxEmailLength)
        {
            context.Fail("The token carries no email claim.");
            return;
        }

        var normalized = email.Trim().ToLowerInvariant();
        var user = await db.Users.FirstOrDefaultAsync(u => u.Email == normalized, context.HttpContext.RequestAborted);
        if (user is null)
        {
            user = new User(Guid.CreateVersion7(), normalized, principal.FindFirstValue(UserClaims.Name) ?? normalized, time.GetUtcNow());
            db.Users.Add(user);
            db.Set<UserRole>().Add(new UserRole(user.Id, Roles.User));
            try
            {
                await db.SaveChangesAsync(context.HttpContext.RequestAborted);
            }
            catch (DbUpdateException)
            {
                // A concurrent first request created the user.
                db.ChangeTracker.Clear();
                user = await db.Users.FirstAsync(u => u.Email == normalized, context.HttpContext.RequestAborted);
            }
        }

        var cancellationToken = context.HttpContext.RequestAborted;
        var roles = await db.Set<UserRole>().Where(r => r.UserId == user.Id).Select(r => r.Role).ToListAsync(cancellationToken);
        if (options.Value.RoleClaim is { Length: > 0 } roleClaim)
        {
            // The authority decides: its roles replace the stored ones (kept so every reader of roles agrees).
            List<string> granted = [Roles.User, .. principal.FindAll(roleClaim).Select(c => c.Value).Where(r => r != Roles.User && Roles.All.Contains(r)).Distinct()];
            if (!granted.Order().SequenceEqual(roles.Order()))
            {
                await ReplaceRolesAsync(user.Id, granted, cancellationToken);
                roles = granted;
            }
        }

        // One identity: the token's claims without any role it may carry under StockGod's role claim type (only the
        // roles above count), plus the StockGod user id and roles.
        context.Principal = new ClaimsPrincipal(new ClaimsIdentity(
            [
                .. principal.Claims.Where(c => c.Type is not (UserClaims.Role or UserClaims.UserId)).Select(c => new Claim(c.Type, c.Value, c.ValueType, c.Issuer)),
                new Claim(UserClaims.UserId, user.Id.ToString()),
                .. roles.Select(r => new Claim(UserClaims.Role, r)),
            ],
            authenticationType: JwtBearerDefaults.AuthenticationScheme,
            UserClaims.Name,
            UserClaims.Role));
    }

    private async Task ReplaceRolesAsync(Guid userId, IReadOnlyList<string> roles, CancellationToken cancellationToken)
    {
        db.ChangeTracker.Clear();
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        await db.Set<UserRole>().Where(r => r.UserId == userId).ExecuteDeleteAsync(cancellationToken);
        db.Set<UserRole>().AddRange(roles.Select(r => new UserRole(userId, r)));
        try
        {
            await db.SaveChangesAsync(cancellationToken);
            await transaction.CommitAsync(cancellationToken);
        }
        catch (DbUpdateException)
        {
            // A concurrent request of the same user stored the same roles first.
            db.ChangeTracker.Clear();
        }
    }
}
