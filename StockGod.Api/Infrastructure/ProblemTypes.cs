namespace StockGod.Api.Infrastructure;

/// <summary>
/// The stable <c>type</c> URI of every kind of error the Api answers (RFC 9457). Clients branch on these, so they never
/// change once published.
/// </summary>
public static class ProblemTypes
{
    private const string Base = "https://stockgod.dev/problems/";

    public const string Validation = Base + "validation";
    public const string MalformedRequest = Base + "malformed-request";
    public const string PayloadTooLarge = Base + "payload-too-large";
    public const string Unauthorized = Base + "unauthorized";
    public const string Forbidden = Base + "forbidden";
    public const string NotFound = Base + "not-found";
    public const string Conflict = Base + "conflict";
    public const string BusinessRule = Base + "business-rule";
    public const string IdempotencyKeyReused = Base + "idempotency-key-reused";
    public const string IdempotencyRequestInProgress = Base + "idempotency-request-in-progress";
    public const string RateLimited = Base + "rate-limited";
    public const string ServiceUnavailable = Base + "service-unavailable";
    public const string Unexpected = Base + "unexpected";

    /// <summary>The type of a problem that was produced from a bare status code (auth, routing, status code pages).</summary>
    public static string ForStatus(int statusCode) => statusCode switch
    {
        StatusCodes.Status400BadRequest => MalformedRequest,
        StatusCodes.Status401Unauthorized => Unauthorized,
        StatusCodes.Status403Forbidden => Forbidden,
        StatusCodes.Status404NotFound => NotFound,
        StatusCodes.Status409Conflict => Conflict,
        StatusCodes.Status413PayloadTooLarge => PayloadTooLarge,
        StatusCodes.Status422UnprocessableEntity => BusinessRule,
        StatusCodes.Status429TooManyRequests => RateLimited,
        StatusCodes.Status503ServiceUnavailable => ServiceUnavailable,
        _ => Unexpected,
    };
}
