namespace StockGod.Trading.Domain;

/// <summary>A business rule refused an operation. The message says which rule and why, for the API consumer.</summary>
public class DomainException(string message) : Exception(message);

/// <summary>A sell larger than the position in a portfolio that does not allow shorting.</summary>
public sealed class InsufficientPositionException(string symbol, decimal requested, decimal available)
    : DomainException($"insufficient qty available for order (symbol: {symbol}, requested: {DecimalRounding.Format(requested)}, available: {DecimalRounding.Format(available)})")
{
    public string Symbol { get; } = symbol;

    public decimal Requested { get; } = requested;

    public decimal Available { get; } = available;
}
