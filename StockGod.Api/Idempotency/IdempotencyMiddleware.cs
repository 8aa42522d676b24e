using System.Security.Cryptography;
using System.Text;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using StockGod.Api.Identity;
using StockGod.Api.Infrastructure;
using StockGod.Trading.Domain.Idempotency;
using StockGod.Trading.Persistence;

namespace StockGod.Api.Idempotency;

/// <summary>Marks a create endpoint as honouring the <c>Idempotency-Key</c> header.</summary>
public sealed class IdempotentEndpointMetadata;

public static class IdempotencyEndpointExtensions
{
    public static RouteHandlerBuilder WithIdempotency(this RouteHandlerBuilder builder) =>
        builder.WithMetadata(new IdempotentEndpointMetadata())
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status422UnprocessableEntity);
}

/// <summary>
/// Replays create requests sent with an <c>Idempotency-Key</c>: per user, for 24 hours, the same key with the same
/// request answers the original status and body without running it again; the same key with another request is a
/// 422; a duplicate that arrives while the original still runs is a 409. The key is claimed in PostgreSQL before the
/// endpoint runs (the primary key serializes racing duplicates) and completed with the response afterwards. A 5xx
/// answer releases the key, so a retry can succeed.
/// </summary>
internal sealed class IdempotencyMiddleware(RequestDelegate next, TimeProvider time)
{
    public const string HeaderName = "Idempotency-Key";
    public static readonly TimeSpan Retention = TimeSpan.FromHours(24);

    public async Task InvokeAsync(HttpContext context, IServiceScopeFactory scopes, IProblemDetailsService problems)
    {
        if (context.GetEndpoint()?.Metadata.GetMetadata<IdempotentEndpointMetadata>() is null
            || !context.Request.Headers.TryGetValue(HeaderName, out var keys)
            || context.User.FindUserId() is not { } userId)
        {
            await next(context);
            return;
        }

        var key = keys.ToString();
        // Visible ASCII only (a structured-field token's alphabet): no blanks, no control characters PostgreSQL
        // refuses to store, no look-alike Unicode that would make two keys seem the same.
        if (keys.Count != 1 || key.Length is 0 or > IdempotencyRecord.MaxKeyLength || key.Any(c => c is < '!' or > '~'))
        {
            await WriteProblemAsync(context, problems, StatusCodes.Status400BadRequest, ProblemTypes.Validation,
                $"The {HeaderName} header must be one value of 1 to {IdempotencyRecord.MaxKeyLength} visible ASCII characters.");
            return;
        }

        var requestHash = await HashRequestAsync(context.Request);
        // A context of its own: the endpoint's context must neither save nor see the claim.
        await using var scope = scopes.CreateAsyncScope();
        var db = scope.ServiceProvider.GetRequiredService<TradingDbContext>();
        var now = time.GetUtcNow();
        await db.Set<IdempotencyRecord>().Where(r => r.UserId == userId && r.Key == key && r.ExpiresAt <= now).ExecuteDeleteAsync(context.RequestAborted);

        var claim = new IdempotencyRecord(userId, key, requestHash, now, now + Retention);
        db.Add(claim);
        try
        {
            await db.SaveChangesAsync(context.RequestAborted);
        }
        catch (DbUpdateException ex) when (ex.InnerException is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation })
        {
            db.ChangeTracker.Clear();
            var existing = await db.Set<IdempotencyRecord>().AsNoTracking().FirstAsync(r => r.UserId == userId && r.Key == key, context.RequestAborted);
            await AnswerDuplicateAsync(context, problems, existing, requestHash);
            return;
        }

        await RunAndRecordAsync(context, db, claim);
    }

    private async Task RunAndRecordAsync(HttpContext context, TradingDbContext db, IdempotencyRecord claim)
    {
        var originalBody = context.Response.Body;
        using var buffer = new MemoryStream();
        context.Response.Body = buffer;
        try
        {
            await next(context);
        }
        catch
        {
            await ReleaseAsync(db, claim);
            throw;
        }
        finally
        {
            context.Response.Body = originalBody;
        }

        if (context.Response.StatusCode >= 500)
        {
            await ReleaseAsync(db, claim);
        }
        else
        {
            claim.Complete(context.Response.StatusCode, context.Response.ContentType, context.Response.Headers.Location.ToString() is { Length: > 0 } location ? location : null, buffer.ToArray());
            await db.SaveChangesAsync(CancellationToken.None);
        }

        buffer.Position = 0;
        await buffer.CopyToAsync(originalBody, context.RequestAborted);
    }

    private static async Task AnswerDuplicateAsync(HttpContext context, IProblemDetailsService problems, IdempotencyRecord existing, byte[] requestHash)
    {
        if (!CryptographicOperations.FixedTimeEquals(existing.RequestHash, requestHash))
        {
            await WriteProblemAsync(context, problems, StatusCodes.Status422UnprocessableEntity, ProblemTypes.IdempotencyKeyReused,
                $"This {HeaderName} was already used with a different request.");
            return;
        }

        if (!existing.IsCompleted)
        {
            await WriteProblemAsync(context, problems, StatusCodes.Status409Conflict, ProblemTypes.IdempotencyRequestInProgress,
                $"A request with this {HeaderName} is still being processed; retry shortly.");
            return;
        }

        context.Response.StatusCode = existing.StatusCode!.Value;
        context.Response.ContentType = existing.ContentType;
        if (existing.Location is not null)
        {
            context.Response.Headers.Location = existing.Location;
        }

        context.Response.Headers["Idempotent-Replayed"] = "true";
        await context.Response.Body.WriteAsync(existing.ResponseBody, context.RequestAborted);
    }

    private static async Task ReleaseAsync(TradingDbContext db, IdempotencyRecord claim)
    {
        await db.Set<IdempotencyRecord>().Where(r => r.UserId == claim.UserId && r.Key == claim.Key).ExecuteDeleteAsync(CancellationToken.None);
    }

    /// <summary>SHA-256 over method, path and body: a key reused on another endpoint or with another body is "different".</summary>
    private static async Task<byte[]> HashRequestAsync(HttpRequest request)
    {
        request.EnableBuffering();
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        hash.AppendData(Encoding.UTF8.GetBytes($"{request.Method} {request.Path}\n"));
        var chunk = new byte[8192];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, request.HttpContext.RequestAborted)) > 0)
        {
            hash.AppendData(chunk, 0, read);
        }

        request.Body.Position = 0;
        return hash.GetHashAndReset();
    }

    private static ValueTask WriteProblemAsync(HttpContext context, IProblemDetailsService problems, int status, string type, string detail)
    {
        context.Response.StatusCode = status;
        return problems.WriteAsync(new ProblemDetailsContext
        {
            HttpContext = context,
            ProblemDetails = { Status = status, Type = type, Title = "Idempotency-Key problem", Detail = detail },
        });
    }
}
