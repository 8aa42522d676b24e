using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using StockGod.Trading.Domain.Users;

namespace StockGod.Trading.Domain.Watchlists;

/// <summary>A user's named list of symbols.</summary>
public sealed class Watchlist
{
    public const int MaxNameLength = 100;

    private readonly List<WatchlistItem> _items = [];

    private Watchlist()
    {
        Name = string.Empty;
    }

    public Watchlist(Guid id, Guid userId, string name, DateTimeOffset createdAt)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        Id = id;
        UserId = userId;
        Name = name.Trim();
        CreatedAt = UpdatedAt = createdAt;
    }

    public Guid Id { get; private set; }

    public Guid UserId { get; private set; }

    public string Name { get; private set; }

    public DateTimeOffset CreatedAt { get; private set; }

    public DateTimeOffset UpdatedAt { get; private set; }

    public IReadOnlyCollection<WatchlistItem> Items => _items;

    public void Rename(string name, DateTimeOffset at)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        Name = name.Trim();
        UpdatedAt = at;
    }

    /// <summary>Adds a symbol; adding one already there changes nothing.</summary>
    public bool Add(string symbol, DateTimeOffset at)
    {
        symbol = Symbols.Normalize(symbol);
        if (_items.Exists(i => i.Symbol == symbol))
        {
            return false;
        }

        _items.Add(new WatchlistItem(Id, symbol, at));
        UpdatedAt = at;
        return true;
    }

    public bool Remove(string symbol, DateTimeOffset at)
    {
        symbol = Symbols.Normalize(symbol);
        var removed = _items.RemoveAll(i => i.Symbol == symbol) > 0;
        if (removed)
        {
            UpdatedAt = at;
        }

        return removed;
    }
}

public sealed class WatchlistItem
{
    private WatchlistItem()
    {
        Symbol = string.Empty;
    }

    internal WatchlistItem(Guid watchlistId, string symbol, DateTimeOffset addedAt)
    {
        WatchlistId = watchlistId;
        Symbol = symbol;
        AddedAt = addedAt;
    }

    public Guid WatchlistId { get; private set; }

    public string Symbol { get; private set; }

    public DateTimeOffset AddedAt { get; private set; }
}

internal sealed class WatchlistConfiguration : IEntityTypeConfiguration<Watchlist>
{
    public void Configure(EntityTypeBuilder<Watchlist> builder)
    {
        builder.ToTable("watchlists");
        builder.Property(w => w.Name).HasMaxLength(Watchlist.MaxNameLength);
        builder.HasOne<User>().WithMany().HasForeignKey(w => w.UserId).OnDelete(DeleteBehavior.Cascade);
        builder.HasIndex(w => new { w.UserId, w.Name }).IsUnique();
        builder.HasMany(w => w.Items).WithOne().HasForeignKey(i => i.WatchlistId).OnDelete(DeleteBehavior.Cascade);
        builder.Navigation(w => w.Items).HasField("_items");
    }
}

internal sealed class WatchlistItemConfiguration : IEntityTypeConfiguration<WatchlistItem>
{
    public void Configure(EntityTypeBuilder<WatchlistItem> builder)
    {
        builder.ToTable("watchlist_items");
        builder.HasKey(i => new { i.WatchlistId, i.Symbol });
        builder.Property(i => i.Symbol).HasMaxLength(Symbols.MaxLength);
    }
}
