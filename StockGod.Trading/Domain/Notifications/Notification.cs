using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using StockGod.Trading.Domain.Users;

namespace StockGod.Trading.Domain.Notifications;

/// <summary>A message to a user (an alert fired, an order filled or was rejected, a job failed), kept until read.</summary>
public sealed class Notification
{
    public const int MaxKindLength = 64;
    public const int MaxTitleLength = 200;
    public const int MaxBodyLength = 4000;

    private Notification()
    {
        Kind = Title = Body = string.Empty;
    }

    public Notification(Guid id, Guid userId, string kind, string title, string body, JsonDocument? data, DateTimeOffset createdAt)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(kind);
        ArgumentException.ThrowIfNullOrWhiteSpace(title);
        Id = id;
        UserId = userId;
        Kind = kind;
        Title = title.Length > MaxTitleLength ? title[..MaxTitleLength] : title;
        Body = body.Length > MaxBodyLength ? body[..MaxBodyLength] : body;
        Data = data;
        CreatedAt = createdAt;
    }

    public Guid Id { get; private set; }

    public Guid UserId { get; private set; }

    /// <summary>A stable machine-readable kind, e.g. "alert.triggered", "order.filled".</summary>
    public string Kind { get; private set; }

    public string Title { get; private set; }

    public string Body { get; private set; }

    /// <summary>Details for clients (ids, prices) as JSON.</summary>
    public JsonDocument? Data { get; private set; }

    public DateTimeOffset CreatedAt { get; private set; }

    public DateTimeOffset? ReadAt { get; private set; }

    public void MarkRead(DateTimeOffset at) => ReadAt ??= at;
}

internal sealed class NotificationConfiguration : IEntityTypeConfiguration<Notification>
{
    public void Configure(EntityTypeBuilder<Notification> builder)
    {
        builder.ToTable("notifications");
        builder.Property(n => n.Kind).HasMaxLength(Notification.MaxKindLength);
        builder.Property(n => n.Title).HasMaxLength(Notification.MaxTitleLength);
        builder.Property(n => n.Body).HasMaxLength(Notification.MaxBodyLength);
        builder.Property(n => n.Data).HasColumnType("jsonb");
        builder.HasOne<User>().WithMany().HasForeignKey(n => n.UserId).OnDelete(DeleteBehavior.Cascade);
        builder.HasIndex(n => new { n.UserId, n.CreatedAt }).IsDescending(false, true);
        builder.HasIndex(n => n.UserId).HasDatabaseName("ix_notifications_unread").HasFilter("read_at IS NULL");
    }
}
