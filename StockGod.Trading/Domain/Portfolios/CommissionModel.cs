namespace StockGod.Trading.Domain.Portfolios;

/// <summary>What a broker charges for one execution. Alpaca charges nothing for US equities, hence the default.</summary>
public interface ICommissionModel
{
    decimal CommissionFor(OrderSide side, decimal quantity, decimal price);
}

public sealed class ZeroCommissionModel : ICommissionModel
{
    public static readonly ZeroCommissionModel Instance = new();

    public decimal CommissionFor(OrderSide side, decimal quantity, decimal price) => 0m;
}

/// <summary>A per-share rate with a minimum per execution and a cap as a share of the trade value (IBKR-style tiers).</summary>
public sealed class PerShareCommissionModel(decimal perShare, decimal minimum, decimal maximumShareOfValue) : ICommissionModel
{
    public decimal CommissionFor(OrderSide side, decimal quantity, decimal price)
    {
        var commission = Math.Max(quantity * perShare, minimum);
        return DecimalRounding.Money(Math.Min(commission, quantity * price * maximumShareOfValue));
    }
}
