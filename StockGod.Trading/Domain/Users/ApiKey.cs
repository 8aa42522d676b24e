using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace StockGod.Trading.Domain.Users;

/// <summary>
/// A key a program uses instead of a password. Only a SHA-256 hash of the secret is kept (the secret is random and
/// long, so a slow password hash adds nothing); <see cref="Prefix"/> is its visible start, for telling keys apart.
/// </summary>
public sealed class ApiKey
{
    public const int MaxNameLength = 100;
    public const int PrefixLength = 12;

    private ApiKey()
    {
        Name = Prefix = string.Empty;
        SecretHash = [];
    }

    public ApiKey(Guid id, Guid userId, string name, string prefix, byte[] secretHash, DateTimeOffset createdAt)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        ArgumentOutOfRangeException.ThrowIfNotEqual(secretHash.Length, 32);
        Id = id;
        UserId = userId;
        Name = name.Trim();
        Prefix = prefix;
        SecretHash = secretHash;
        CreatedAt = createdAt;
    }

    public Guid Id { get; private set; }

    public Guid UserId { get; private set; }

    public string Name { get; private set; }

    public string Prefix { get; private set; }

    public byte[] SecretHash { get; private set; }

    public DateTimeOffset CreatedAt { get; private set; }

    public DateTimeOffset? LastUsedAt { get; private set; }

    public DateTimeOffset? RevokedAt { get; private set; }

    public bool IsActive => RevokedAt is null;

    public void Revoke(DateTimeOffset at) => RevokedAt ??= at;

    public void MarkUsed(DateTimeOffset at) => LastUsedAt = at;
}

internal sealed class ApiKeyConfiguration : IEntityTypeConfiguration<ApiKey>
{
    public void Configure(EntityTypeBuilder<ApiKey> builder)
    {
        builder.ToTable("api_keys");
        builder.Property(k => k.Name).HasMaxLength(ApiKey.MaxNameLength);
        builder.Property(k => k.Prefix).HasMaxLength(ApiKey.PrefixLength);
        builder.Property(k => k.SecretHash).HasMaxLength(32);
        builder.Ignore(k => k.IsActive);
        builder.HasOne<User>().WithMany().HasForeignKey(k => k.UserId).OnDelete(DeleteBehavior.Cascade);
        builder.HasIndex(k => k.SecretHash).IsUnique();
        builder.HasIndex(k => k.UserId);
    }
}
