using Grpc.Core;
using Grpc.Core.Interceptors;
using Microsoft.Extensions.Options;

namespace StockGod.MarketData.Client;

/// <summary>Gives every unary call without a deadline the configured one, so no caller waits forever. Streams keep none.</summary>
public sealed class DefaultDeadlineInterceptor(IOptions<MarketDataClientOptions> options, TimeProvider time) : Interceptor
{
    public override AsyncUnaryCall<TResponse> AsyncUnaryCall<TRequest, TResponse>(
        TRequest request, ClientInterceptorContext<TRequest, TResponse> context, AsyncUnaryCallContinuation<TRequest, TResponse> continuation)
    {
        if (context.Options.Deadline is null)
        {
            var deadline = time.GetUtcNow().UtcDateTime + options.Value.Deadline;
            context = new ClientInterceptorContext<TRequest, TResponse>(context.Method, context.Host, context.Options.WithDeadline(deadline));
        }

        return continuation(request, context);
    }
}
