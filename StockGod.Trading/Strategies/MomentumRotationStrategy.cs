using System.Globalization;
using System.Text.Json.Serialization;

namespace StockGod.Trading.Strategies;

[JsonConverter(typeof(JsonStringEnumConverter<RebalanceFrequency>))]
public enum RebalanceFrequency
{
    Daily,
    Weekly,
    Monthly,
}

public sealed record MomentumRotationParameters(int LookbackDays = 60, int TopN = 5, RebalanceFrequency Rebalance = RebalanceFrequency.Monthly) : IStrategyParameters
{
    public IEnumerable<ParameterError> Validate() =>
        ParameterRules.InRange("lookbackDays", LookbackDays, 1, 1000).Concat(ParameterRules.InRange("topN", TopN, 1, 500));
}

/// <summary>
/// Ranks the universe by its return over the lookback and holds the top N with a positive return. On a rebalance
/// day (the first completed bar of a week or month, or every day) it buys the leaders it does not hold and sells
/// holdings that dropped out; other days it holds. Strength follows the rank (the leader is 1).
/// </summary>
public sealed class MomentumRotationStrategy(MomentumRotationParameters parameters) : IStrategy
{
    public const string Name = "momentum_rotation";

    public string TypeName => Name;

    public IReadOnlyList<StrategySignal> Evaluate(StrategyContext context)
    {
        ArgumentNullException.ThrowIfNull(context);
        var returns = new Dictionary<string, decimal>(StringComparer.Ordinal);
        foreach (var symbol in context.Universe)
        {
            var bars = context.BarsOf(symbol);
            if (bars.Count > parameters.LookbackDays && bars[^(parameters.LookbackDays + 1)].Close > 0m)
            {
                returns[symbol] = (bars[^1].Close / bars[^(parameters.LookbackDays + 1)].Close) - 1m;
            }
        }

        // Ties rank by symbol so a rebalance is deterministic.
        var ranked = returns.OrderByDescending(r => r.Value).ThenBy(r => r.Key, StringComparer.Ordinal).Select(r => r.Key).ToList();
        var leaders = ranked.Where(s => returns[s] > 0m).Take(parameters.TopN).ToList();
        var isRebalanceDay = IsRebalanceDay(context);

        return [.. context.Universe.Select(symbol => Signal(symbol, context, returns, ranked, leaders, isRebalanceDay))];
    }

    private StrategySignal Signal(string symbol, StrategyContext context, Dictionary<string, decimal> returns, List<string> ranked, List<string> leaders, bool isRebalanceDay)
    {
        if (!returns.TryGetValue(symbol, out var ret))
        {
            return StrategySignal.Hold(symbol, $"needs {parameters.LookbackDays + 1} completed bars, has {context.BarsOf(symbol).Count}");
        }

        var rank = ranked.IndexOf(symbol) + 1;
        var text = string.Create(CultureInfo.InvariantCulture, $"{parameters.LookbackDays}-day return {ret:P2}, rank {rank} of {ranked.Count}");
        if (!isRebalanceDay)
        {
            return StrategySignal.Hold(symbol, $"{text}; not a {parameters.Rebalance.ToString().ToLowerInvariant()} rebalance day");
        }

        var isLeader = leaders.Contains(symbol);
        if (isLeader && !context.Holds(symbol))
        {
            return StrategySignal.Buy(symbol, 1m - ((decimal)(rank - 1) / parameters.TopN), $"{text}: in the top {parameters.TopN}");
        }

        if (!isLeader && context.Holds(symbol))
        {
            return StrategySignal.Sell(symbol, 1m, $"{text}: dropped out of the top {parameters.TopN} with a positive return");
        }

        return StrategySignal.Hold(symbol, isLeader ? $"{text}: already held" : $"{text}: not in the top {parameters.TopN}");
    }

    private bool IsRebalanceDay(StrategyContext context)
    {
        // The longest history in the universe says which trading day the latest completed bar belongs to.
        var bars = context.Universe.Select(context.BarsOf).MaxBy(b => b.Count);
        if (bars is null || bars.Count < 2)
        {
            return bars is { Count: 1 };
        }

        var latest = NewYorkTime.DateOf(bars[^1].Timestamp);
        var previous = NewYorkTime.DateOf(bars[^2].Timestamp);
        return parameters.Rebalance switch
        {
            RebalanceFrequency.Daily => true,
            RebalanceFrequency.Weekly => latest.DayNumber - (int)latest.DayOfWeek != previous.DayNumber - (int)previous.DayOfWeek,
            _ => latest.Month != previous.Month || latest.Year != previous.Year,
        };
    }
}
