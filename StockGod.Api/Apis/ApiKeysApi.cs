using System.Buffers.Text;
using System.Security.Claims;
using System.Security.Cryptography;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.EntityFrameworkCore;
using StockGod.Api.Identity;
using StockGod.Api.Infrastructure;
using StockGod.Trading.Domain.Users;
using StockGod.Trading.Persistence;

namespace StockGod.Api.Apis;

public static class ApiKeysApi
{
    /// <summary>Keys a user may hold at once (active ones).</summary>
    public const int MaxActiveKeys = 20;

    private const string KeyPrefix = "sg_";

    public static RouteGroupBuilder MapApiKeysApi(this IEndpointRouteBuilder app)
    {
        var api = app.MapApiGroup("api-keys", "API keys");
        api.MapPost("/", CreateAsync).WithSummary("Create an API key (the key is shown once)");
        api.MapGet("/", ListAsync).WithSummary("List API keys (without their secrets)");
        api.MapDelete("/{id:guid}", RevokeAsync).WithSummary("Revoke an API key");
        return api;
    }

    public static async Task<Results<Created<CreatedApiKeyResponse>, ValidationProblem, ProblemHttpResult>> CreateAsync(
        CreateApiKeyRequest request, ClaimsPrincipal principal, TradingDbContext db, TimeProvider time, CancellationToken cancellationToken)
    {
        var userId = principal.GetUserId();
        if (await db.Set<ApiKey>().CountAsync(k => k.UserId == userId && k.RevokedAt == null, cancellationToken) >= MaxActiveKeys)
        {
            return Problems.BusinessRule($"A user may hold at most {MaxActiveKeys} active API keys; revoke one first.");
        }

        // 32 random bytes (256 bits) in URL-safe base64: unguessable, so a fast hash is enough to store it.
        var secret = KeyPrefix + Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(32));
        var key = new ApiKey(Guid.CreateVersion7(), userId, request.Name!, secret[..ApiKey.PrefixLength],
            ApiKeyAuthenticationHandler.HashSecret(secret), time.GetUtcNow());
        db.Set<ApiKey>().Add(key);
        await db.SaveChangesAsync(cancellationToken);
        return TypedResults.Created($"{ApiRouting.Prefix}/api-keys/{key.Id}",
            new CreatedApiKeyResponse(key.Id, key.Name, key.Prefix, secret, key.CreatedAt));
    }

    public static async Task<Ok<List<ApiKeyResponse>>> ListAsync(ClaimsPrincipal principal, TradingDbContext db, CancellationToken cancellationToken)
    {
        var userId = principal.GetUserId();
        var keys = await db.Set<ApiKey>().AsNoTracking()
            .Where(k => k.UserId == userId)
            .OrderByDescending(k => k.CreatedAt)
            .Select(k => new ApiKeyResponse(k.Id, k.Name, k.Prefix, k.CreatedAt, k.LastUsedAt, k.RevokedAt))
            .ToListAsync(cancellationToken);
        return TypedResults.Ok(keys);
    }

    public static async Task<Results<NoContent, ProblemHttpResult>> RevokeAsync(
        Guid id, ClaimsPrincipal principal, TradingDbContext db, TimeProvider time, CancellationToken cancellationToken)
    {
        var userId = principal.GetUserId();
        var key = await db.Set<ApiKey>().FirstOrDefaultAsync(k => k.Id == id && k.UserId == userId, cancellationToken);
        if (key is null)
        {
            return Problems.NotFound("The API key");
        }

        key.Revoke(time.GetUtcNow());
        await db.SaveChangesAsync(cancellationToken);
        return TypedResults.NoContent();
    }
}
