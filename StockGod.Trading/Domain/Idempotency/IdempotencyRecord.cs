using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using StockGod.Trading.Domain.Users;

namespace StockGod.Trading.Domain.Idempotency;

/// <summary>
/// The outcome of one create request sent with an <c>Idempotency-Key</c>, per user. It is claimed (no status yet)
/// before the request runs, so a concurrent duplicate sees it, and completed with the response to replay afterwards.
/// </summary>
public sealed class IdempotencyRecord
{
    public const int MaxKeyLength = 255;

    private IdempotencyRecord()
    {
        Key = string.Empty;
        RequestHash = [];
    }

    public IdempotencyRecord(Guid userId, string key, byte[] requestHash, DateTimeOffset createdAt, DateTimeOffset expiresAt)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(key);
        UserId = userId;
        Key = key;
        RequestHash = requestHash;
        CreatedAt = createdAt;
        ExpiresAt = expiresAt;
    }

    public Guid UserId { get; private set; }

    public string Key { get; private set; }

    /// <summary>SHA-256 of the method, path and body: the same key with another request is refused.</summary>
    public byte[] RequestHash { get; private set; }

    /// <summary>Null while the original request is still running.</summary>
    public int? StatusCode { get; private set; }

    public string? ContentType { get; private set; }

    public string? Location { get; private set; }

    public byte[]? ResponseBody { get; private set; }

    public DateTimeOffset CreatedAt { get; private set; }

    public DateTimeOffset ExpiresAt { get; private set; }

    public bool IsCompleted => StatusCode is not null;

    public void Complete(int statusCode, string? contentType, string? location, byte[] responseBody)
    {
        StatusCode = statusCode;
        ContentType = contentType;
        Location = location;
        ResponseBody = responseBody;
    }
}

internal sealed class IdempotencyRecordConfiguration : IEntityTypeConfiguration<IdempotencyRecord>
{
    public void Configure(EntityTypeBuilder<IdempotencyRecord> builder)
    {
        builder.ToTable("idempotency_records");
        builder.HasKey(r => new { r.UserId, r.Key });
        builder.Property(r => r.Key).HasMaxLength(IdempotencyRecord.MaxKeyLength);
        builder.Property(r => r.RequestHash).HasMaxLength(32);
        builder.Property(r => r.ContentType).HasMaxLength(200);
        builder.Property(r => r.Location).HasMaxLength(2000);
        builder.Ignore(r => r.IsCompleted);
        builder.HasOne<User>().WithMany().HasForeignKey(r => r.UserId).OnDelete(DeleteBehavior.Cascade);

        // The purge deletes by expiry.
        builder.HasIndex(r => r.ExpiresAt);
    }
}
