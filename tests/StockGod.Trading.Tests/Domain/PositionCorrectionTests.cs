using StockGod.Trading.Brokerage;
using StockGod.Trading.Domain;
using StockGod.Trading.Domain.Portfolios;
using StockGod.Trading.Domain.Reconciliation;

namespace StockGod.Trading.Tests.Domain;

/// <summary>Applying the broker's holdings to a portfolio (position sync) and recording what differed.</summary>
public sealed class PositionCorrectionTests
{
    private static readonly DateTimeOffset At = new(2024, 3, 4, 15, 0, 0, TimeSpan.Zero);
    private static readonly DateTimeOffset Later = At.AddMinutes(5);

    private static Portfolio Holding(string symbol, decimal quantity, decimal price)
    {
        var portfolio = new Portfolio(Guid.NewGuid(), Guid.NewGuid(), "Growth", TradingMode.Simulated, 100_000m, At);
        portfolio.ApplyFill(Guid.NewGuid(), symbol, OrderSide.Buy, quantity, price, 0m, At);
        return portfolio;
    }

    [Fact]
    public void A_position_missing_locally_is_opened_at_the_brokers_quantity_and_price_without_moving_cash()
    {
        var portfolio = new Portfolio(Guid.NewGuid(), Guid.NewGuid(), "Growth", TradingMode.Simulated, 100_000m, At);
        var positionId = Guid.NewGuid();

        var correction = portfolio.CorrectPosition(positionId, "nvda", 3.5m, 450.123456789m, Later);

        Assert.Equal(new PositionCorrection("NVDA", 0m, null, 3.5m, 450.12345679m), correction);
        var position = Assert.Single(portfolio.Positions);
        Assert.Equal((positionId, "NVDA", 3.5m, 450.12345679m, 1575.43209876m), (position.Id, position.Symbol, position.Quantity, position.AverageEntryPrice, position.CostBasis));
        Assert.Equal(100_000m, portfolio.Cash);
        Assert.Equal(Later, portfolio.UpdatedAt);
    }

    [Fact]
    public void Quantity_and_average_price_are_corrected_keeping_realized_profit_and_loss()
    {
        var portfolio = Holding("AAPL", 10m, 100m);
        portfolio.ApplyFill(Guid.NewGuid(), "AAPL", OrderSide.Sell, 4m, 110m, 0m, At);
        portfolio.PositionFor("AAPL")!.MarkToMarket(120m, At);

        var correction = portfolio.CorrectPosition(Guid.NewGuid(), "AAPL", 8m, 101m, Later);

        Assert.Equal(new PositionCorrection("AAPL", 6m, 100m, 8m, 101m), correction);
        var position = portfolio.PositionFor("AAPL")!;
        Assert.Equal((8m, 101m, 808m, 960m, 152m), (position.Quantity, position.AverageEntryPrice, position.CostBasis, position.MarketValue, position.UnrealizedProfitLoss));
        Assert.Equal(40m, position.RealizedProfitLoss);
        Assert.Equal(40m, portfolio.RealizedProfitLoss);
    }

    [Fact]
    public void A_position_the_broker_has_closed_is_removed()
    {
        var portfolio = Holding("MSFT", 5m, 200m);

        var correction = portfolio.CorrectPosition(Guid.NewGuid(), "MSFT", 0m, 0m, Later);

        Assert.Equal(new PositionCorrection("MSFT", 5m, 200m, 0m, null), correction);
        Assert.Empty(portfolio.Positions);
    }

    [Fact]
    public void A_holding_that_matches_is_left_alone()
    {
        var portfolio = Holding("MSFT", 5m, 200m);

        Assert.Null(portfolio.CorrectPosition(Guid.NewGuid(), "MSFT", 5.0000000001m, 200.000000001m, Later));
        Assert.Null(portfolio.CorrectPosition(Guid.NewGuid(), "TSLA", 0m, 0m, Later));
        Assert.Equal(At, portfolio.UpdatedAt);
    }

    [Fact]
    public void A_held_position_needs_a_positive_average_price()
    {
        var portfolio = Holding("MSFT", 5m, 200m);

        Assert.Throws<ArgumentOutOfRangeException>(() => portfolio.CorrectPosition(Guid.NewGuid(), "MSFT", 6m, 0m, Later));
        Assert.Equal(5m, portfolio.PositionFor("MSFT")!.Quantity);
    }

    [Fact]
    public void Cash_is_taken_from_the_broker_and_the_replaced_figure_returned()
    {
        var portfolio = Holding("MSFT", 5m, 200m);

        Assert.Equal(99_000m, portfolio.CorrectCash(98_765.4321m, Later));
        Assert.Equal(98_765.4321m, portfolio.Cash);
        Assert.Null(portfolio.CorrectCash(98_765.4321m, Later));
    }

    [Theory]
    [InlineData(0, null, 10, 100, DiscrepancyKind.MissingLocally)]
    [InlineData(10, 100, 0, null, DiscrepancyKind.MissingAtBroker)]
    [InlineData(10, 100, 12, 100, DiscrepancyKind.QuantityMismatch)]
    [InlineData(10, 100, 10, 101, DiscrepancyKind.AveragePriceMismatch)]
    public void A_correction_is_recorded_as_a_resolved_discrepancy_of_its_kind(
        int localQuantity, int? localPrice, int brokerQuantity, int? brokerPrice, DiscrepancyKind kind)
    {
        var correction = new PositionCorrection("AAPL", localQuantity, localPrice, brokerQuantity, brokerPrice);
        var portfolioId = Guid.NewGuid();

        var discrepancy = PositionDiscrepancy.Corrected(Guid.NewGuid(), portfolioId, correction, Later);

        Assert.Equal(
            (portfolioId, "AAPL", kind, (decimal)localQuantity, (decimal?)localPrice, (decimal)brokerQuantity, (decimal?)brokerPrice, Later, (DateTimeOffset?)Later, PositionDiscrepancy.CorrectedToBroker),
            (discrepancy.PortfolioId, discrepancy.Symbol, discrepancy.Kind, discrepancy.LocalQuantity, discrepancy.LocalAverageEntryPrice,
                discrepancy.BrokerQuantity, discrepancy.BrokerAverageEntryPrice, discrepancy.DetectedAt, discrepancy.ResolvedAt, discrepancy.Resolution));
    }

    [Fact]
    public void Equal_quantities_and_prices_are_no_discrepancy()
    {
        Assert.Throws<DomainException>(() => new PositionDiscrepancy(Guid.NewGuid(), Guid.NewGuid(), "AAPL", 10m, 10m, 100m, 100m, At));
    }
}
