using System.Globalization;
using StockGod.Trading.Strategies;

namespace StockGod.Trading.Risk;

/// <summary>Limits a strategy trades within. Fractions are of equity (0.10 = 10 %).</summary>
public sealed record RiskLimits(decimal MaxPositionFraction, decimal MaxOrderValue, decimal CashBufferFraction, int MaxOpenPositions);

public readonly record struct PositionState(decimal Quantity, decimal Price);

/// <summary>The portfolio as the sizer sees it; symbols with an open order get no new one.</summary>
public sealed record PortfolioState(
    decimal Equity,
    decimal Cash,
    IReadOnlyDictionary<string, PositionState> Positions,
    IReadOnlySet<string> SymbolsWithOpenOrders);

/// <summary>An order the risk layer allows: whole shares, with the reason carried from the signal.</summary>
public sealed record OrderIntent(string Symbol, OrderSide Side, decimal Quantity, string Reason);

/// <summary>What became of one BUY or SELL signal: an order intent, or why there is none.</summary>
public sealed record SizingDecision(StrategySignal Signal, OrderIntent? Order, string? Rejection);

/// <summary>
/// Turns signals into whole-share order intents within the risk limits. Pure: same inputs, same decisions.
/// Sells come first and close the whole position (they never exceed what is held). Buys are taken strongest first,
/// each sized to the smallest of: the room left under the per-position cap, the order cap, and the cash left above
/// the buffer after earlier buys in the same batch (sale proceeds are not counted until they fill).
/// </summary>
public static class PositionSizer
{
    public static IReadOnlyList<SizingDecision> Size(
        IEnumerable<StrategySignal> signals,
        PortfolioState portfolio,
        RiskLimits limits,
        IReadOnlyDictionary<string, decimal> prices)
    {
        ArgumentNullException.ThrowIfNull(signals);
        ArgumentNullException.ThrowIfNull(portfolio);
        ArgumentNullException.ThrowIfNull(limits);
        ArgumentNullException.ThrowIfNull(prices);

        var actionable = signals.Where(s => s.Action != SignalAction.Hold).ToList();
        var decisions = new List<SizingDecision>();
        var ordered = new HashSet<string>(StringComparer.Ordinal);

        foreach (var signal in actionable.Where(s => s.Action == SignalAction.Sell))
        {
            decisions.Add(Sell(signal, portfolio, ordered));
        }

        var availableCash = portfolio.Cash - (portfolio.Equity * limits.CashBufferFraction);
        var openPositions = portfolio.Positions.Count(p => p.Value.Quantity > 0m);
        foreach (var signal in actionable.Where(s => s.Action == SignalAction.Buy)
                     .OrderByDescending(s => s.Strength).ThenBy(s => s.Symbol, StringComparer.Ordinal))
        {
            var decision = Buy(signal, portfolio, limits, prices, availableCash, openPositions, ordered);
            if (decision.Order is { } order)
            {
                availableCash -= order.Quantity * prices[order.Symbol];
                if (!portfolio.Positions.TryGetValue(order.Symbol, out var held) || held.Quantity <= 0m)
                {
                    openPositions++;
                }
            }

            decisions.Add(decision);
        }

        return decisions;
    }

    private static SizingDecision Sell(StrategySignal signal, PortfolioState portfolio, HashSet<string> ordered)
    {
        if (IsBlocked(signal.Symbol, portfolio, ordered) is { } blocked)
        {
            return Reject(signal, blocked);
        }

        var held = portfolio.Positions.TryGetValue(signal.Symbol, out var position) ? decimal.Floor(position.Quantity) : 0m;
        if (held <= 0m)
        {
            return Reject(signal, $"no {signal.Symbol} shares held to sell");
        }

        ordered.Add(signal.Symbol);
        return new SizingDecision(signal, new OrderIntent(signal.Symbol, OrderSide.Sell, held, signal.Reason), null);
    }

    private static SizingDecision Buy(
        StrategySignal signal,
        PortfolioState portfolio,
        RiskLimits limits,
        IReadOnlyDictionary<string, decimal> prices,
        decimal availableCash,
        int openPositions,
        HashSet<string> ordered)
    {
        if (IsBlocked(signal.Symbol, portfolio, ordered) is { } blocked)
        {
            return Reject(signal, blocked);
        }

        if (!prices.TryGetValue(signal.Symbol, out var price) || price <= 0m)
        {
            return Reject(signal, $"no price for {signal.Symbol}");
        }

        var held = portfolio.Positions.GetValueOrDefault(signal.Symbol);
        if (held.Quantity <= 0m && openPositions >= limits.MaxOpenPositions)
        {
            return Reject(signal, $"already at the maximum of {limits.MaxOpenPositions} open positions");
        }

        var room = (portfolio.Equity * limits.MaxPositionFraction) - (held.Quantity * price);
        var budget = Math.Min(Math.Min(room, limits.MaxOrderValue), availableCash);
        var quantity = budget > 0m ? decimal.Floor(budget / price) : 0m;
        if (quantity < 1m)
        {
            var why = room < price ? $"position is at its cap of {limits.MaxPositionFraction:P0} of equity"
                : availableCash < price ? "not enough cash above the buffer"
                : "the order value cap is below one share";
            return Reject(signal, string.Create(CultureInfo.InvariantCulture, $"cannot buy one share of {signal.Symbol} at {price}: {why}"));
        }

        ordered.Add(signal.Symbol);
        return new SizingDecision(signal, new OrderIntent(signal.Symbol, OrderSide.Buy, quantity, signal.Reason), null);
    }

    private static string? IsBlocked(string symbol, PortfolioState portfolio, HashSet<string> ordered) =>
        portfolio.SymbolsWithOpenOrders.Contains(symbol) ? $"an order for {symbol} is already open"
        : ordered.Contains(symbol) ? $"{symbol} already has an order in this batch"
        : null;

    private static SizingDecision Reject(StrategySignal signal, string reason) => new(signal, null, reason);
}
