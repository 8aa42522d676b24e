using StockGod.Trading.Brokerage;
using StockGod.Trading.Risk;
using StockGod.Trading.Strategies;

namespace StockGod.Trading.Tests.Risk;

public sealed class PositionSizerTests
{
    private static readonly RiskLimits Limits = new(MaxPositionFraction: 0.10m, MaxOrderValue: 8_000m, CashBufferFraction: 0.05m, MaxOpenPositions: 3);

    [Fact]
    public void A_buy_is_sized_to_the_smallest_of_position_cap_order_cap_and_cash_in_whole_shares()
    {
        var portfolio = Portfolio(equity: 100_000m, cash: 50_000m);

        var decision = Assert.Single(PositionSizer.Size([StrategySignal.Buy("AAPL", 1m, "why")], portfolio, Limits, Prices(("AAPL", 123.45m))));

        // Caps: 10 % of equity = 10,000; order cap 8,000; cash above buffer 45,000 -> 8,000 / 123.45 = 64.8 -> 64.
        Assert.Equal(new OrderIntent("AAPL", OrderSide.Buy, 64m, "why"), decision.Order);
        Assert.Null(decision.Rejection);
    }

    [Fact]
    public void A_buy_only_tops_up_to_the_per_position_cap()
    {
        var portfolio = Portfolio(equity: 100_000m, cash: 50_000m, ("MSFT", 50m, 150m));

        var decision = Assert.Single(PositionSizer.Size([StrategySignal.Buy("MSFT", 1m, "more")], portfolio, Limits, Prices(("MSFT", 150m))));

        Assert.Equal(16m, decision.Order!.Quantity); // (10,000 - 7,500) / 150 = 16.67
    }

    [Fact]
    public void Buys_are_taken_strongest_first_and_share_the_cash_above_the_buffer()
    {
        var portfolio = Portfolio(equity: 100_000m, cash: 10_000m);
        StrategySignal[] signals = [StrategySignal.Buy("WEAK", 0.5m, "w"), StrategySignal.Buy("STRONG", 0.9m, "s"), StrategySignal.Buy("LAST", 0.1m, "l")];

        var decisions = PositionSizer.Size(signals, portfolio, Limits, Prices(("WEAK", 50m), ("STRONG", 100m), ("LAST", 10m)));

        // Cash above the 5,000 buffer: 5,000. STRONG takes 50 shares (5,000), nothing is left for the others.
        Assert.Equal(["STRONG", "WEAK", "LAST"], decisions.Select(d => d.Signal.Symbol));
        Assert.Equal(50m, decisions[0].Order!.Quantity);
        Assert.Contains("not enough cash above the buffer", decisions[1].Rejection, StringComparison.Ordinal);
        Assert.Null(decisions[2].Order);
    }

    [Fact]
    public void No_new_order_for_a_symbol_with_an_open_order_or_beyond_the_open_position_limit()
    {
        var portfolio = Portfolio(equity: 100_000m, cash: 90_000m, ("A", 1m, 10m), ("B", 1m, 10m)) with
        {
            SymbolsWithOpenOrders = new HashSet<string> { "C" },
        };
        StrategySignal[] signals = [StrategySignal.Buy("C", 1m, "c"), StrategySignal.Buy("D", 0.9m, "d"), StrategySignal.Buy("E", 0.8m, "e"), StrategySignal.Buy("A", 0.7m, "a")];

        var decisions = PositionSizer.Size(signals, portfolio, Limits, Prices(("A", 10m), ("C", 10m), ("D", 10m), ("E", 10m)));

        Assert.Equal("an order for C is already open", decisions.Single(d => d.Signal.Symbol == "C").Rejection);
        Assert.Equal(800m, decisions.Single(d => d.Signal.Symbol == "D").Order!.Quantity); // third position
        Assert.Equal("already at the maximum of 3 open positions", decisions.Single(d => d.Signal.Symbol == "E").Rejection);
        Assert.Equal(800m, decisions.Single(d => d.Signal.Symbol == "A").Order!.Quantity); // adding to a held one is fine
    }

    [Fact]
    public void Sells_close_the_whole_shares_held_and_never_more()
    {
        var portfolio = Portfolio(equity: 10_000m, cash: 0m, ("X", 10.5m, 20m));
        StrategySignal[] signals = [StrategySignal.Sell("X", 1m, "exit"), StrategySignal.Sell("Y", 1m, "exit"), StrategySignal.Hold("Z", "wait")];

        var decisions = PositionSizer.Size(signals, portfolio, Limits, Prices(("X", 20m), ("Y", 5m)));

        Assert.Equal(2, decisions.Count); // HOLD yields nothing
        Assert.Equal(new OrderIntent("X", OrderSide.Sell, 10m, "exit"), decisions[0].Order);
        Assert.Equal("no Y shares held to sell", decisions[1].Rejection);
    }

    [Fact]
    public void A_share_price_above_every_cap_is_rejected_with_the_reason()
    {
        var decision = Assert.Single(PositionSizer.Size(
            [StrategySignal.Buy("BRK.A", 1m, "value")], Portfolio(100_000m, 100_000m), Limits, Prices(("BRK.A", 600_000m))));

        Assert.Null(decision.Order);
        Assert.Equal("cannot buy one share of BRK.A at 600000: position is at its cap of 10 % of equity", decision.Rejection!.Replace('\u00a0', ' '));
    }

    private static PortfolioState Portfolio(decimal equity, decimal cash, params (string Symbol, decimal Quantity, decimal Price)[] positions) =>
        new(equity, cash, positions.ToDictionary(p => p.Symbol, p => new PositionState(p.Quantity, p.Price)), new HashSet<string>());

    private static Dictionary<string, decimal> Prices(params (string Symbol, decimal Price)[] prices) => prices.ToDictionary(p => p.Symbol, p => p.Price);
}
