using Grpc.Core;
using Grpc.Health.V1;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace StockGod.MarketData.Client;

/// <summary>Asks MarketData's gRPC health service whether it is serving.</summary>
public sealed class MarketDataHealthCheck(Health.HealthClient health) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            var response = await health.CheckAsync(new HealthCheckRequest(), cancellationToken: cancellationToken);
            return response.Status == HealthCheckResponse.Types.ServingStatus.Serving
                ? HealthCheckResult.Healthy()
                : new HealthCheckResult(context.Registration.FailureStatus, $"MarketData reports {response.Status}.");
        }
        catch (RpcException ex)
        {
            return new HealthCheckResult(context.Registration.FailureStatus, $"MarketData does not answer: {ex.Status.StatusCode}.", ex);
        }
    }
}
