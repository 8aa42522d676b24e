using Grpc.Core;
using Grpc.Core.Interceptors;
using StockGod.Trading.Persistence;

namespace StockGod.Scheduler.Grpc;

/// <summary>
/// Turns "the database is unreachable" (restarting, failing over) into gRPC's UNAVAILABLE, which the Api answers as a
/// 503 with Retry-After; left alone it would be UNKNOWN, a 500.
/// </summary>
internal sealed class DatabaseUnavailableInterceptor : Interceptor
{
    public override async Task<TResponse> UnaryServerHandler<TRequest, TResponse>(
        TRequest request, ServerCallContext context, UnaryServerMethod<TRequest, TResponse> continuation)
    {
        try
        {
            return await continuation(request, context);
        }
        catch (Exception ex) when (ex is not RpcException && ex.IsDatabaseUnavailable())
        {
            throw new RpcException(new Status(StatusCode.Unavailable, "The database could not be reached; retry later."));
        }
    }
}
