using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using StockGod.Trading.Domain.Positions;
using StockGod.Trading.Domain.Users;
using StockGod.Trading.Persistence;

namespace StockGod.Trading.Domain.Portfolios;

/// <summary>
/// A portfolio and its positions: the aggregate that owns cash and holdings. Every fill goes through
/// <see cref="ApplyFill"/>, which is where the accounting rules live; callers hold the portfolio's row lock
/// (see Persistence.PortfolioLocks) so concurrent fills serialize.
/// </summary>
public sealed class Portfolio
{
    public const int MaxNameLength = 100;

    private readonly List<Position> _positions = [];

    private Portfolio()
    {
        Name = string.Empty;
    }

    public Portfolio(Guid id, Guid ownerUserId, string name, TradingMode tradingMode, decimal startingCash, DateTimeOffset createdAt)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        if (name.Trim().Length > MaxNameLength)
        {
            throw new DomainException($"A portfolio name has at most {MaxNameLength} characters.");
        }

        if (startingCash < 0)
        {
            throw new DomainException("Starting cash cannot be negative.");
        }

        Id = id;
        OwnerUserId = ownerUserId;
        Name = name.Trim();
        TradingMode = tradingMode;
        StartingCash = Cash = DecimalRounding.Money(startingCash);
        CreatedAt = UpdatedAt = createdAt;
    }

    public Guid Id { get; private set; }

    public Guid OwnerUserId { get; private set; }

    public string Name { get; private set; }

    public TradingMode TradingMode { get; private set; }

    public decimal StartingCash { get; private set; }

    public decimal Cash { get; private set; }

    /// <summary>Running total of realized P&amp;L over every position this portfolio has closed or reduced.</summary>
    public decimal RealizedProfitLoss { get; private set; }

    public decimal TotalCommissions { get; private set; }

    /// <summary>Live money moves only after someone switched this on explicitly for this portfolio.</summary>
    public bool LiveTradingEnabled { get; private set; }

    public bool AllowShorting { get; private set; }

    /// <summary>The brokerage account this portfolio trades (Alpaca's account id; null for the simulated exchange).</summary>
    public string? BrokerAccountId { get; set; }

    public DateTimeOffset CreatedAt { get; private set; }

    public DateTimeOffset UpdatedAt { get; private set; }

    /// <summary>PostgreSQL's xmin: optimistic concurrency for edits made without the row lock.</summary>
    public uint Version { get; private set; }

    public User? Owner { get; private set; }

    public IReadOnlyCollection<Position> Positions => _positions;

    /// <summary>Whether orders may be sent at all: live portfolios need <see cref="LiveTradingEnabled"/>.</summary>
    public bool CanTrade => TradingMode != TradingMode.Live || LiveTradingEnabled;

    /// <summary>Cash plus the market value of positions (cost basis where no price is known yet).</summary>
    public decimal Equity => Cash + PositionsValue;

    public decimal PositionsValue => _positions.Sum(p => p.MarketValue ?? p.CostBasis);

    public Position? PositionFor(string symbol) =>
        _positions.Find(p => string.Equals(p.Symbol, symbol, StringComparison.Ordinal));

    public void Rename(string name, DateTimeOffset at)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(name);
        Name = name.Trim();
        UpdatedAt = at;
    }

    public void SetLiveTrading(bool enabled, DateTimeOffset at)
    {
        if (enabled && TradingMode != TradingMode.Live)
        {
            throw new DomainException("Live trading can only be enabled on a portfolio whose trading mode is live.");
        }

        LiveTradingEnabled = enabled;
        UpdatedAt = at;
    }

    /// <summary>
    /// Moves the portfolio to another brokerage (simulated, Alpaca paper or live). Only a flat portfolio with no open
    /// orders may move: its holdings and working orders live at the old broker and would be orphaned. Live trading
    /// starts switched off in the new mode, as on a new portfolio: real money moves only after it is enabled explicitly.
    /// </summary>
    public void ChangeTradingMode(TradingMode mode, bool hasOpenOrders, DateTimeOffset at)
    {
        if (mode == TradingMode)
        {
            return;
        }

        if (_positions.Count > 0)
        {
            throw new DomainException("The trading mode can only change while the portfolio holds no positions; close them first.");
        }

        if (hasOpenOrders)
        {
            throw new DomainException("The trading mode can only change while the portfolio has no open orders; cancel them first.");
        }

        TradingMode = mode;
        LiveTradingEnabled = false;
        BrokerAccountId = null;
        UpdatedAt = at;
    }

    public void SetShorting(bool allowed, DateTimeOffset at)
    {
        if (!allowed && _positions.Any(p => p.IsShort))
        {
            throw new DomainException("Shorting cannot be switched off while the portfolio holds short positions.");
        }

        AllowShorting = allowed;
        UpdatedAt = at;
    }

    /// <summary>
    /// The pre-trade check of a sell: without shorting, a sell may not exceed the shares held minus those already
    /// committed to open sell orders.
    /// </summary>
    public void EnsureCanSell(string symbol, decimal quantity, decimal openSellQuantity)
    {
        if (AllowShorting)
        {
            return;
        }

        var held = Math.Max(PositionFor(symbol)?.Quantity ?? 0m, 0m);
        var available = Math.Max(held - openSellQuantity, 0m);
        if (quantity > available)
        {
            throw new InsufficientPositionException(symbol, quantity, available);
        }
    }

    /// <summary>
    /// Books one execution: moves cash (price × quantity and commission, partial fills included), re-weights the
    /// average price of a growing position, realizes P&amp;L on the part that reduces one, closes a position that
    /// reaches zero and, where shorting is allowed, opens the remainder of a sell beyond the holding as a short.
    /// </summary>
    public FillAccounting ApplyFill(Guid positionId, string symbol, OrderSide side, decimal quantity, decimal price, decimal commission, DateTimeOffset at)
    {
        if (quantity <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(quantity), quantity, "A fill quantity must be positive.");
        }

        if (price <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(price), price, "A fill price must be positive.");
        }

        if (commission < 0)
        {
            throw new ArgumentOutOfRangeException(nameof(commission), commission, "A commission cannot be negative.");
        }

        var signed = side == OrderSide.Buy ? quantity : -quantity;
        var position = PositionFor(symbol);
        var held = position?.Quantity ?? 0m;
        if (signed < 0 && !AllowShorting && -signed > Math.Max(held, 0m))
        {
            throw new InsufficientPositionException(symbol, quantity, Math.Max(held, 0m));
        }

        var realized = 0m;
        var remaining = signed;
        if (position is not null && Math.Sign(held) != Math.Sign(signed))
        {
            var closing = Math.Sign(signed) * Math.Min(Math.Abs(signed), Math.Abs(held));
            realized = position.Reduce(closing, price, at);
            remaining -= closing;
            if (position.Quantity == 0)
            {
                _positions.Remove(position);
            }
        }

        if (remaining != 0)
        {
            if (position is null || position.Quantity == 0)
            {
                position = new Position(positionId, Id, symbol, at);
                _positions.Add(position);
            }

            position.Increase(remaining, price, at);
        }

        var cashChange = DecimalRounding.Money(-(signed * price) - commission);
        Cash += cashChange;
        RealizedProfitLoss += realized;
        TotalCommissions += commission;
        UpdatedAt = at;
        return new FillAccounting(realized, cashChange, position is { Quantity: not 0 } ? position : null);
    }

    /// <summary>
    /// Sets the holding of <paramref name="symbol"/> to what the broker reports, the broker being the source of truth
    /// (position sync): opens a position we lack, corrects quantity and average entry price, and removes the position
    /// when <paramref name="quantity"/> is zero. Cash and realized P&amp;L are left alone (no trade happened here).
    /// Returns what changed, or null when the holding already matched.
    /// </summary>
    public PositionCorrection? CorrectPosition(Guid newPositionId, string symbol, decimal quantity, decimal averageEntryPrice, DateTimeOffset at)
    {
        if (quantity != 0 && averageEntryPrice <= 0)
        {
            throw new ArgumentOutOfRangeException(nameof(averageEntryPrice), averageEntryPrice, "A held position needs a positive average entry price.");
        }

        symbol = Symbols.Normalize(symbol);
        quantity = DecimalRounding.Quantity(quantity);
        decimal? average = quantity == 0 ? null : DecimalRounding.Price(averageEntryPrice);
        var position = PositionFor(symbol);
        var correction = new PositionCorrection(symbol, position?.Quantity ?? 0m, position?.AverageEntryPrice, quantity, average);
        if (correction.LocalQuantity == correction.BrokerQuantity && correction.LocalAverageEntryPrice == correction.BrokerAverageEntryPrice)
        {
            return null;
        }

        if (average is not { } price)
        {
            _positions.Remove(position!);
        }
        else
        {
            if (position is null)
            {
                position = new Position(newPositionId, Id, symbol, at);
                _positions.Add(position);
            }

            position.CorrectTo(quantity, price, at);
        }

        UpdatedAt = at;
        return correction;
    }

    /// <summary>Sets cash to the broker's figure (position sync); returns the cash it replaced, or null when it matched.</summary>
    public decimal? CorrectCash(decimal brokerCash, DateTimeOffset at)
    {
        brokerCash = DecimalRounding.Money(brokerCash);
        if (brokerCash == Cash)
        {
            return null;
        }

        var before = Cash;
        Cash = brokerCash;
        UpdatedAt = at;
        return before;
    }

    /// <summary>Updates last prices, market values and unrealized P&amp;L of the positions in <paramref name="prices"/>.</summary>
    public void MarkToMarket(IReadOnlyDictionary<string, decimal> prices, DateTimeOffset at)
    {
        foreach (var position in _positions)
        {
            if (prices.TryGetValue(position.Symbol, out var price))
            {
                position.MarkToMarket(price, at);
            }
        }
    }
}

/// <summary>What one fill did to a portfolio: realized P&amp;L, the signed cash movement, and the position left (null when closed).</summary>
public sealed record FillAccounting(decimal RealizedProfitLoss, decimal CashChange, Position? Position);

/// <summary>
/// One holding corrected to the broker's: ours before (quantity 0 and no price when we had none) and the broker's,
/// which is what the portfolio holds now (quantity 0 and no price when the broker has closed it).
/// </summary>
public sealed record PositionCorrection(
    string Symbol, decimal LocalQuantity, decimal? LocalAverageEntryPrice, decimal BrokerQuantity, decimal? BrokerAverageEntryPrice);

internal sealed class PortfolioConfiguration : IEntityTypeConfiguration<Portfolio>
{
    public void Configure(EntityTypeBuilder<Portfolio> builder)
    {
        builder.ToTable("portfolios", t =>
        {
            t.HasEnumCheck<Portfolio, TradingMode>("trading_mode");
            t.HasCheckConstraint("ck_portfolios_starting_cash_not_negative", "starting_cash >= 0");
            t.HasCheckConstraint("ck_portfolios_total_commissions_not_negative", "total_commissions >= 0");
            t.HasCheckConstraint("ck_portfolios_live_only_when_live", "NOT live_trading_enabled OR trading_mode = 'live'");
        });
        builder.Property(p => p.Name).HasMaxLength(Portfolio.MaxNameLength);
        builder.Property(p => p.BrokerAccountId).HasMaxLength(64);
        builder.HasMoneyColumn(p => p.StartingCash);
        builder.HasMoneyColumn(p => p.Cash);
        builder.HasMoneyColumn(p => p.RealizedProfitLoss);
        builder.HasMoneyColumn(p => p.TotalCommissions);
        builder.Property(p => p.Version).IsRowVersion();
        builder.Ignore(p => p.CanTrade);
        builder.Ignore(p => p.Equity);
        builder.Ignore(p => p.PositionsValue);

        builder.HasOne(p => p.Owner).WithMany().HasForeignKey(p => p.OwnerUserId).OnDelete(DeleteBehavior.Restrict);
        builder.HasMany(p => p.Positions).WithOne().HasForeignKey(p => p.PortfolioId).OnDelete(DeleteBehavior.Cascade);
        builder.Navigation(p => p.Positions).HasField("_positions");
        builder.HasIndex(p => new { p.OwnerUserId, p.Name }).IsUnique();
    }
}
