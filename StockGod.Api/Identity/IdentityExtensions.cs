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

        builder.Services.AddAuthorizationBuilder()
            .AddPolicy(OperatorPolicy, policy => policy.RequireAuthenticatedUser().RequireRole(Roles.Operator));
    }
}

/// <summary>
/// With an external authority, a token names a person by its claims only: the StockGod user with the token's email is
/// found (or created on first sight) and its id and roles are added to the principal.
/// </summary>
internal sealed class ExternalUserProvisioner(TradingDbContext db, TimeProvider time)
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

        var roles = await db.Set<UserRole>().Where(r => r.UserId == user.Id).Select(r => r.Role).ToListAsync(context.HttpContext.RequestAborted);
        var identity = new ClaimsIdentity(
            [new Claim(UserClaims.UserId, user.Id.ToString()), .. roles.Select(r => new Claim(UserClaims.Role, r))],
            authenticationType: "StockGod",
            UserClaims.Name,
            UserClaims.Role);
        principal.AddIdentity(identity);
    }
}
