using System.Collections.Concurrent;
using Microsoft.IdentityModel.Tokens;

namespace StockGod.Api.Identity;

/// <summary>
/// Bearer tokens already validated, by their exact text, so a client that sends the same token on every request pays
/// for the signature check and the claims once, not per request. An entry never outlives its token: it expires at the
/// token's <c>exp</c> (the clock skew tolerated by validation is not extended to cached entries), and a token without
/// one is not cached. Only successful validations are kept; the cache is bounded (when full, expired entries are
/// dropped and, if it is still full, new tokens are validated without being cached).
/// </summary>
public sealed class ValidatedTokenCache(TimeProvider time)
{
    public const int DefaultCapacity = 10_000;

    private readonly ConcurrentDictionary<string, Entry> _entries = new(StringComparer.Ordinal);

    public int Capacity { get; init; } = DefaultCapacity;

    public int Count => _entries.Count;

    public bool TryGet(string token, out TokenValidationResult result)
    {
        if (_entries.TryGetValue(token, out var entry))
        {
            if (time.GetUtcNow() < entry.ExpiresAt)
            {
                result = entry.Result;
                return true;
            }

            _entries.TryRemove(KeyValuePair.Create(token, entry));
        }

        result = null!;
        return false;
    }

    public void Add(string token, TokenValidationResult result)
    {
        if (!result.IsValid || result.SecurityToken is not { ValidTo: var validTo } || validTo == DateTime.MinValue)
        {
            return;
        }

        var expiresAt = new DateTimeOffset(DateTime.SpecifyKind(validTo, DateTimeKind.Utc));
        var now = time.GetUtcNow();
        if (expiresAt <= now)
        {
            return;
        }

        if (_entries.Count >= Capacity)
        {
            foreach (var (key, entry) in _entries)
            {
                if (entry.ExpiresAt <= now)
                {
                    _entries.TryRemove(KeyValuePair.Create(key, entry));
                }
            }

            if (_entries.Count >= Capacity)
            {
                return;
            }
        }

        _entries[token] = new Entry(result, expiresAt);
    }

    private sealed record Entry(TokenValidationResult Result, DateTimeOffset ExpiresAt);
}

/// <summary>
/// The bearer handler's token handler behind a <see cref="ValidatedTokenCache"/>. Each request gets its own copy of
/// the cached identity, so nothing a request adds to its principal is seen by another.
/// </summary>
internal sealed class CachingTokenHandler(TokenHandler inner, ValidatedTokenCache cache) : TokenHandler
{
    public override async Task<TokenValidationResult> ValidateTokenAsync(string token, TokenValidationParameters validationParameters)
    {
        if (!cache.TryGet(token, out var cached))
        {
            cached = await inner.ValidateTokenAsync(token, validationParameters);
            if (!cached.IsValid)
            {
                return cached;
            }

            // Materialise the (lazily built) identity once, before the result is shared.
            _ = cached.ClaimsIdentity;
            cache.Add(token, cached);
        }

        return new TokenValidationResult
        {
            IsValid = true,
            SecurityToken = cached.SecurityToken,
            ClaimsIdentity = cached.ClaimsIdentity.Clone(),
            Issuer = cached.Issuer,
            TokenType = cached.TokenType,
        };
    }

    public override Task<TokenValidationResult> ValidateTokenAsync(SecurityToken token, TokenValidationParameters validationParameters) =>
        inner.ValidateTokenAsync(token, validationParameters);

    public override SecurityToken ReadToken(string token) => inner.ReadToken(token);
}
