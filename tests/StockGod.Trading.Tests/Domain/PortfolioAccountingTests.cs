using StockGod.Trading.Brokerage;
using StockGod.Trading.Domain;
using StockGod.Trading.Domain.Portfolios;

namespace StockGod.Trading.Tests.Domain;

public sealed class PortfolioAccountingTests
{
    private static readonly DateTimeOffset At = new(2024, 3, 4, 15, 0, 0, TimeSpan.Zero);

    private static Portfolio NewPortfolio(decimal cash = 100_000m, bool allowShorting = false)
    {
        var portfolio = new Portfolio(Guid.NewGuid(), Guid.NewGuid(), "Growth", TradingMode.Simulated, cash, At);
        if (allowShorting)
        {
            portfolio.SetShorting(true, At);
        }

        return portfolio;
    }

    private static FillAccounting Fill(Portfolio portfolio, OrderSide side, decimal quantity, decimal price, decimal commission = 0m, string symbol = "AAPL") =>
        portfolio.ApplyFill(Guid.NewGuid(), symbol, side, quantity, price, commission, At);

    [Fact]
    public void Buy_opens_a_position_and_pays_cash()
    {
        var portfolio = NewPortfolio();

        var result = Fill(portfolio, OrderSide.Buy, 10m, 150.25m);

        var position = Assert.Single(portfolio.Positions);
        Assert.Equal(10m, position.Quantity);
        Assert.Equal(150.25m, position.AverageEntryPrice);
        Assert.Equal(1502.50m, position.CostBasis);
        Assert.Equal(98_497.50m, portfolio.Cash);
        Assert.Equal(-1502.50m, result.CashChange);
        Assert.Equal(0m, result.RealizedProfitLoss);
    }

    [Fact]
    public void Second_buy_reweights_the_average_entry_price()
    {
        var portfolio = NewPortfolio();

        Fill(portfolio, OrderSide.Buy, 10m, 100m);
        Fill(portfolio, OrderSide.Buy, 30m, 120m);

        var position = portfolio.PositionFor("AAPL")!;
        Assert.Equal(40m, position.Quantity);
        Assert.Equal(4600m, position.CostBasis);
        Assert.Equal(115m, position.AverageEntryPrice);
        Assert.Equal(95_400m, portfolio.Cash);
    }

    [Fact]
    public void Average_price_that_does_not_divide_evenly_is_rounded_to_eight_places_while_cost_basis_stays_exact()
    {
        var portfolio = NewPortfolio();

        Fill(portfolio, OrderSide.Buy, 1m, 10m);
        Fill(portfolio, OrderSide.Buy, 2m, 10.01m);

        var position = portfolio.PositionFor("AAPL")!;
        Assert.Equal(30.02m, position.CostBasis);
        Assert.Equal(10.00666667m, position.AverageEntryPrice);
    }

    [Fact]
    public void Sell_lowers_quantity_books_realized_profit_and_keeps_the_average_price()
    {
        var portfolio = NewPortfolio();
        Fill(portfolio, OrderSide.Buy, 10m, 100m);
        Fill(portfolio, OrderSide.Buy, 10m, 110m);

        var result = Fill(portfolio, OrderSide.Sell, 5m, 120m);

        var position = portfolio.PositionFor("AAPL")!;
        Assert.Equal(15m, position.Quantity);
        Assert.Equal(105m, position.AverageEntryPrice);
        Assert.Equal(1575m, position.CostBasis);
        Assert.Equal(75m, result.RealizedProfitLoss);
        Assert.Equal(75m, position.RealizedProfitLoss);
        Assert.Equal(75m, portfolio.RealizedProfitLoss);
        Assert.Equal(100_000m - 2100m + 600m, portfolio.Cash);
    }

    [Fact]
    public void Sell_at_a_loss_books_negative_realized_profit()
    {
        var portfolio = NewPortfolio();
        Fill(portfolio, OrderSide.Buy, 8m, 50m);

        var result = Fill(portfolio, OrderSide.Sell, 3m, 45.5m);

        Assert.Equal(-13.5m, result.RealizedProfitLoss);
        Assert.Equal(100_000m - 400m + 136.5m, portfolio.Cash);
    }

    [Fact]
    public void Selling_the_whole_position_closes_it_and_realized_profit_sums_to_proceeds_minus_cost()
    {
        var portfolio = NewPortfolio();
        Fill(portfolio, OrderSide.Buy, 1m, 10m);
        Fill(portfolio, OrderSide.Buy, 2m, 10.01m);

        var first = Fill(portfolio, OrderSide.Sell, 1m, 11m);
        var second = Fill(portfolio, OrderSide.Sell, 2m, 11m);

        Assert.Empty(portfolio.Positions);
        Assert.Null(second.Position);

        // Proceeds 33.00 minus cost 30.02, exactly, however the partial release was rounded.
        Assert.Equal(2.98m, first.RealizedProfitLoss + second.RealizedProfitLoss);
        Assert.Equal(2.98m, portfolio.RealizedProfitLoss);
        Assert.Equal(100_002.98m, portfolio.Cash);
    }

    [Fact]
    public void Partial_fills_move_cash_each_time_and_add_up_to_the_whole_order()
    {
        var portfolio = NewPortfolio(cash: 10_000m);

        Fill(portfolio, OrderSide.Buy, 0.5m, 200m);
        Assert.Equal(9_900m, portfolio.Cash);
        Fill(portfolio, OrderSide.Buy, 0.25m, 204m);
        Assert.Equal(9_849m, portfolio.Cash);
        Fill(portfolio, OrderSide.Buy, 0.25m, 196m);

        var position = portfolio.PositionFor("AAPL")!;
        Assert.Equal(1m, position.Quantity);
        Assert.Equal(200m, position.AverageEntryPrice);
        Assert.Equal(9_800m, portfolio.Cash);
    }

    [Fact]
    public void Commission_is_paid_from_cash_on_both_sides_and_totalled()
    {
        var portfolio = NewPortfolio();

        Fill(portfolio, OrderSide.Buy, 100m, 10m, commission: 1m);
        var sale = Fill(portfolio, OrderSide.Sell, 100m, 11m, commission: 1m);

        Assert.Equal(100_000m - 1001m + 1099m, portfolio.Cash);
        Assert.Equal(2m, portfolio.TotalCommissions);
        Assert.Equal(100m, sale.RealizedProfitLoss);
    }

    [Fact]
    public void Per_share_commission_model_applies_minimum_and_cap()
    {
        var model = new PerShareCommissionModel(perShare: 0.005m, minimum: 1m, maximumShareOfValue: 0.01m);

        Assert.Equal(1m, model.CommissionFor(OrderSide.Buy, 10m, 100m));
        Assert.Equal(5m, model.CommissionFor(OrderSide.Buy, 1000m, 100m));
        Assert.Equal(0.1m, model.CommissionFor(OrderSide.Buy, 10m, 1m));
        Assert.Equal(0m, ZeroCommissionModel.Instance.CommissionFor(OrderSide.Sell, 1000m, 100m));
    }

    [Fact]
    public void Selling_more_than_held_is_rejected_without_shorting_and_changes_nothing()
    {
        var portfolio = NewPortfolio();
        Fill(portfolio, OrderSide.Buy, 5m, 100m);

        var error = Assert.Throws<InsufficientPositionException>(() => Fill(portfolio, OrderSide.Sell, 6m, 100m));

        Assert.Equal(5m, error.Available);
        Assert.Equal(5m, portfolio.PositionFor("AAPL")!.Quantity);
        Assert.Equal(99_500m, portfolio.Cash);
        Assert.Throws<InsufficientPositionException>(() => Fill(portfolio, OrderSide.Sell, 1m, 100m, symbol: "MSFT"));
    }

    [Fact]
    public void Pre_trade_check_counts_shares_already_committed_to_open_sell_orders()
    {
        var portfolio = NewPortfolio();
        Fill(portfolio, OrderSide.Buy, 10m, 100m);

        portfolio.EnsureCanSell("AAPL", 4m, openSellQuantity: 6m);
        var error = Assert.Throws<InsufficientPositionException>(() => portfolio.EnsureCanSell("AAPL", 5m, openSellQuantity: 6m));
        Assert.Equal(4m, error.Available);
    }

    [Fact]
    public void With_shorting_a_sell_opens_a_short_that_receives_cash_and_covering_books_profit()
    {
        var portfolio = NewPortfolio(allowShorting: true);

        Fill(portfolio, OrderSide.Sell, 10m, 50m);
        var shortPosition = portfolio.PositionFor("AAPL")!;
        Assert.Equal(-10m, shortPosition.Quantity);
        Assert.Equal(50m, shortPosition.AverageEntryPrice);
        Assert.Equal(-500m, shortPosition.CostBasis);
        Assert.Equal(100_500m, portfolio.Cash);

        var cover = Fill(portfolio, OrderSide.Buy, 4m, 45m);
        Assert.Equal(20m, cover.RealizedProfitLoss);
        Assert.Equal(-6m, shortPosition.Quantity);
        Assert.Equal(50m, shortPosition.AverageEntryPrice);

        var rest = Fill(portfolio, OrderSide.Buy, 6m, 55m);
        Assert.Equal(-30m, rest.RealizedProfitLoss);
        Assert.Empty(portfolio.Positions);
        Assert.Equal(-10m, portfolio.RealizedProfitLoss);
        Assert.Equal(99_990m, portfolio.Cash);
    }

    [Fact]
    public void A_sell_beyond_a_long_flips_to_a_short_at_the_fill_price_when_shorting_is_allowed()
    {
        var portfolio = NewPortfolio(allowShorting: true);
        Fill(portfolio, OrderSide.Buy, 5m, 100m);

        var result = Fill(portfolio, OrderSide.Sell, 8m, 110m);

        Assert.Equal(50m, result.RealizedProfitLoss);
        var position = Assert.Single(portfolio.Positions);
        Assert.Equal(-3m, position.Quantity);
        Assert.Equal(110m, position.AverageEntryPrice);
        Assert.Equal(-330m, position.CostBasis);
        Assert.Equal(0m, position.RealizedProfitLoss);
    }

    [Fact]
    public void Marking_to_market_values_long_and_short_positions()
    {
        var portfolio = NewPortfolio(allowShorting: true);
        Fill(portfolio, OrderSide.Buy, 10m, 100m);
        Fill(portfolio, OrderSide.Sell, 4m, 50m, symbol: "XOM");

        portfolio.MarkToMarket(new Dictionary<string, decimal> { ["AAPL"] = 103.5m, ["XOM"] = 52m }, At);

        var aapl = portfolio.PositionFor("AAPL")!;
        var xom = portfolio.PositionFor("XOM")!;
        Assert.Equal(1035m, aapl.MarketValue);
        Assert.Equal(35m, aapl.UnrealizedProfitLoss);
        Assert.Equal(-208m, xom.MarketValue);
        Assert.Equal(-8m, xom.UnrealizedProfitLoss);
        Assert.Equal(100_000m - 1000m + 200m + 1035m - 208m, portfolio.Equity);
    }

    [Theory]
    [InlineData(0, 10, 0)]
    [InlineData(1, 0, 0)]
    [InlineData(1, 10, -1)]
    public void Invalid_fills_are_refused(decimal quantity, decimal price, decimal commission)
    {
        var portfolio = NewPortfolio();

        Assert.Throws<ArgumentOutOfRangeException>(() => Fill(portfolio, OrderSide.Buy, quantity, price, commission));
        Assert.Equal(100_000m, portfolio.Cash);
    }

    [Fact]
    public void Live_trading_needs_the_live_mode_and_an_explicit_switch()
    {
        var live = new Portfolio(Guid.NewGuid(), Guid.NewGuid(), "Real money", TradingMode.Live, 1000m, At);
        Assert.False(live.CanTrade);

        live.SetLiveTrading(true, At);
        Assert.True(live.CanTrade);

        Assert.Throws<DomainException>(() => NewPortfolio().SetLiveTrading(true, At));
    }
}
