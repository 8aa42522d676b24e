using Grpc.Core;
using Grpc.Core.Interceptors;

namespace StockGod.MarketData.Client;

/// <summary>
/// Gives every unary call without a deadline a default one, so no caller waits forever. Streams keep none. Shared by
/// the gRPC clients of the consumers (MarketData's, and the Api's JobControl client, which links this file too).
/// </summary>
public sealed class DefaultDeadlineInterceptor(TimeSpan deadline, TimeProvider time) : Interceptor
{
    public override AsyncUnaryCall<TResponse> AsyncUnaryCall<TRequest, TResponse>(
        TRequest request, ClientInterceptorContext<TRequest, TResponse> context, AsyncUnaryCallContinuation<TRequest, TResponse> continuation)
    {
        if (context.Options.Deadline is null)
        {
            context = new ClientInterceptorContext<TRequest, TResponse>(context.Method, context.Host, context.Options.WithDeadline(time.GetUtcNow().UtcDateTime + deadline));
        }

        return continuation(request, context);
    }
}
