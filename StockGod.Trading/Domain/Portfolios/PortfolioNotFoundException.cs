namespace StockGod.Trading.Domain.Portfolios;

public sealed class PortfolioNotFoundException(Guid portfolioId) : DomainException($"Portfolio {portfolioId} does not exist.")
{
    public Guid PortfolioId { get; } = portfolioId;
}
