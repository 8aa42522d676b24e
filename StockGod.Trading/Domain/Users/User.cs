using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace StockGod.Trading.Domain.Users;

/// <summary>A person who owns portfolios, watchlists and alerts. Authentication details belong to the Api.</summary>
public sealed class User
{
    public const int MaxEmailLength = 320;

    private User()
    {
        Email = DisplayName = string.Empty;
    }

    public User(Guid id, string email, string displayName, DateTimeOffset createdAt)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(email);
        ArgumentException.ThrowIfNullOrWhiteSpace(displayName);
        Id = id;
        Email = email.Trim().ToLowerInvariant();
        DisplayName = displayName.Trim();
        CreatedAt = createdAt;
    }

    public Guid Id { get; private set; }

    /// <summary>Lower-cased, unique.</summary>
    public string Email { get; private set; }

    public string DisplayName { get; private set; }

    /// <summary>Set by the Api's identity code (a salted hash, never a password).</summary>
    public string? PasswordHash { get; set; }

    public DateTimeOffset CreatedAt { get; private set; }
}

internal sealed class UserConfiguration : IEntityTypeConfiguration<User>
{
    public void Configure(EntityTypeBuilder<User> builder)
    {
        builder.ToTable("users");
        builder.Property(u => u.Email).HasMaxLength(User.MaxEmailLength);
        builder.Property(u => u.DisplayName).HasMaxLength(200);
        builder.Property(u => u.PasswordHash).HasMaxLength(512);
        builder.HasIndex(u => u.Email).IsUnique();
    }
}
