using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using StockGod.Trading.Domain.Portfolios;

namespace StockGod.Trading.Execution;

public static class ExecutionServiceCollectionExtensions
{
    /// <summary>
    /// Order placement and fill application, shared by Api and Scheduler. Needs the trading database
    /// (<c>AddTradingDatabase</c>) and an <see cref="IBrokerageGatewayFactory"/>. Commissions default to zero, as Alpaca's.
    /// </summary>
    public static IServiceCollection AddOrderExecution(this IServiceCollection services)
    {
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddSingleton<ICommissionModel>(ZeroCommissionModel.Instance);
        services.AddScoped<OrderUpdateService>();
        services.AddScoped<OrderPlacementService>();
        return services;
    }
}
