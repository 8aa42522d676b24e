namespace StockGod.Trading.Strategies;

public enum SignalAction
{
    Hold,
    Buy,
    Sell,
}

/// <summary>What a strategy wants for one symbol: an action, how strongly (0..1) and why, in words a user can read.</summary>
public sealed record StrategySignal(string Symbol, SignalAction Action, decimal Strength, string Reason)
{
    public static StrategySignal Hold(string symbol, string reason) => new(symbol, SignalAction.Hold, 0m, reason);

    public static StrategySignal Buy(string symbol, decimal strength, string reason) => new(symbol, SignalAction.Buy, Clamp(strength), reason);

    public static StrategySignal Sell(string symbol, decimal strength, string reason) => new(symbol, SignalAction.Sell, Clamp(strength), reason);

    private static decimal Clamp(decimal strength) => Math.Clamp(strength, 0m, 1m);
}

/// <summary>A position a strategy may take into account (an ATR stop needs the entry price).</summary>
public readonly record struct Holding(decimal Quantity, decimal AverageEntryPrice);

/// <summary>A trading strategy: evaluates a whole universe at once so that rotation strategies can rank symbols.</summary>
public interface IStrategy
{
    /// <summary>The stable type name the registry creates it by (for example <c>sma_crossover</c>).</summary>
    string TypeName { get; }

    /// <summary>One signal per symbol of the context's universe, in universe order.</summary>
    IReadOnlyList<StrategySignal> Evaluate(StrategyContext context);
}
