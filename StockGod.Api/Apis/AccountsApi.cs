using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Identity;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using Npgsql;
using StockGod.Api.Identity;
using StockGod.Api.Infrastructure;
using StockGod.Api.RateLimiting;
using StockGod.Trading.Domain.Users;
using StockGod.Trading.Persistence;

namespace StockGod.Api.Apis;

public static class AccountsApi
{
    public static RouteGroupBuilder MapAccountsApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapApiGroup("accounts", "Accounts");

        api.MapPost("/register", RegisterAsync)
            .AllowAnonymous()
            .RequireRateLimiting(RateLimitPolicies.SignIn)
            .WithSummary("Create a user with a password");
        api.MapPost("/token", SignInAsync)
            .AllowAnonymous()
            .RequireRateLimiting(RateLimitPolicies.SignIn)
            .WithSummary("Sign in: exchange email and password for a bearer token");
        api.MapGet("/me", GetCurrentUserAsync).WithSummary("The signed-in user");
        api.MapDelete("/me", DeleteAccountAsync).WithSummary("Delete the account and every piece of data it owns");
        return api;
    }

    public static async Task<Results<Created<UserResponse>, ValidationProblem, ProblemHttpResult>> RegisterAsync(
        RegisterRequest request, [AsParameters] AccountServices services, CancellationToken cancellationToken)
    {
        var user = new User(Guid.CreateVersion7(), request.Email!, request.DisplayName!, services.Time.GetUtcNow());
        user.PasswordHash = services.Hasher.HashPassword(user, request.Password!);
        string[] roles = services.Options.Value.OperatorEmails.Contains(user.Email, StringComparer.OrdinalIgnoreCase)
            ? [Roles.User, Roles.Operator]
            : [Roles.User];
        services.Db.Users.Add(user);
        services.Db.Set<UserRole>().AddRange(roles.Select(r => new UserRole(user.Id, r)));
        try
        {
            await services.Db.SaveChangesAsync(cancellationToken);
        }
        catch (DbUpdateException ex) when (ex.InnerException is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation })
        {
            return Problems.Conflict("A user with this email already exists.");
        }

        return TypedResults.Created($"{ApiRouting.Prefix}/accounts/me", ToResponse(user, roles));
    }

    public static async Task<Results<Ok<TokenResponse>, ValidationProblem, ProblemHttpResult>> SignInAsync(
        SignInRequest request, [AsParameters] AccountServices services, CancellationToken cancellationToken)
    {
        if (!services.Issuer.CanIssue)
        {
            return TypedResults.Problem(statusCode: StatusCodes.Status404NotFound, title: "Not found",
                detail: "Tokens are issued by the external identity provider.", type: ProblemTypes.NotFound);
        }

        var email = request.Email!.Trim().ToLowerInvariant();
        var user = await services.Db.Users.FirstOrDefaultAsync(u => u.Email == email, cancellationToken);
        var verdict = user?.PasswordHash is { } hash
            ? services.Hasher.VerifyHashedPassword(user, hash, request.Password!)
            : PasswordVerificationResult.Failed;
        if (user is null || verdict == PasswordVerificationResult.Failed)
        {
            return Problems.Unauthorized("The email or password is wrong.");
        }

        if (verdict == PasswordVerificationResult.SuccessRehashNeeded)
        {
            user.PasswordHash = services.Hasher.HashPassword(user, request.Password!);
            await services.Db.SaveChangesAsync(cancellationToken);
        }

        var roles = await RolesOfAsync(services.Db, user.Id, cancellationToken);
        var (token, expiresAt) = services.Issuer.Issue(user, roles);
        return TypedResults.Ok(new TokenResponse(token, "Bearer", (int)(expiresAt - services.Time.GetUtcNow()).TotalSeconds, expiresAt));
    }

    public static async Task<Results<Ok<UserResponse>, ProblemHttpResult>> GetCurrentUserAsync(
        ClaimsPrincipal principal, TradingDbContext db, CancellationToken cancellationToken)
    {
        var userId = principal.GetUserId();
        var user = await db.Users.AsNoTracking().FirstOrDefaultAsync(u => u.Id == userId, cancellationToken);
        return user is null
            ? Problems.NotFound("The user")
            : TypedResults.Ok(ToResponse(user, await RolesOfAsync(db, userId, cancellationToken)));
    }

    /// <summary>
    /// Removes the user and everything they own in one transaction. Portfolios are deleted first (their owner key
    /// restricts deletes; positions, orders, fills, strategies and snapshots cascade from them), then the user,
    /// which cascades to watchlists, alerts, notifications, API keys, roles and idempotency records.
    /// </summary>
    public static async Task<NoContent> DeleteAccountAsync(ClaimsPrincipal principal, TradingDbContext db, CancellationToken cancellationToken)
    {
        var userId = principal.GetUserId();
        await using var transaction = await db.Database.BeginTransactionAsync(cancellationToken);
        await db.Portfolios.Where(p => p.OwnerUserId == userId).ExecuteDeleteAsync(cancellationToken);
        await db.Users.Where(u => u.Id == userId).ExecuteDeleteAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);
        return TypedResults.NoContent();
    }

    internal static Task<List<string>> RolesOfAsync(TradingDbContext db, Guid userId, CancellationToken cancellationToken) =>
        db.Set<UserRole>().Where(r => r.UserId == userId).OrderBy(r => r.Role).Select(r => r.Role).ToListAsync(cancellationToken);

    private static UserResponse ToResponse(User user, IReadOnlyList<string> roles) =>
        new(user.Id, user.Email, user.DisplayName, roles, user.CreatedAt);
}

public sealed class AccountServices(
    TradingDbContext db,
    IPasswordHasher<User> hasher,
    TimeProvider time,
    IOptions<IdentityBootstrapOptions> options,
    TokenIssuer issuer)
{
    public TradingDbContext Db { get; } = db;

    public IPasswordHasher<User> Hasher { get; } = hasher;

    public TimeProvider Time { get; } = time;

    public IOptions<IdentityBootstrapOptions> Options { get; } = options;

    public TokenIssuer Issuer { get; } = issuer;
}

/// <summary>The <c>Identity</c> section.</summary>
public sealed class IdentityBootstrapOptions
{
    public const string SectionName = "Identity";

    /// <summary>Users registering with one of these emails are operators too.</summary>
    public string[] OperatorEmails { get; set; } = [];
}
