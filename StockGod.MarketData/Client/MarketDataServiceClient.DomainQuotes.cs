using Grpc.Core;
using StockGod.MarketData.Client;
using DomainQuote = StockGod.Trading.Market.Quote;

namespace StockGod.MarketData.V1;

// The generated client, extended where its protected CallInvoker is in reach: a call made here goes through the same
// invoker as the generated methods, so the registration's deadline interceptor, its channel's retry policy and service
// discovery, and the client's telemetry apply to it alike.
public static partial class MarketDataService
{
    public partial class MarketDataServiceClient
    {
        /// <summary>
        /// GetQuotes with the response's quotes read straight into domain quotes by <see cref="QuotesResponseReader"/>,
        /// in the response's order; unknown symbols are left out. NOT_FOUND (none of the symbols is known) and every
        /// other status throw <see cref="RpcException"/> as <see cref="GetQuotesAsync(GetQuotesRequest, CallOptions)"/> does.
        /// </summary>
        public AsyncUnaryCall<IReadOnlyList<DomainQuote>> GetDomainQuotesAsync(GetQuotesRequest request, CallOptions options) =>
            CallInvoker.AsyncUnaryCall(DomainQuoteMethods.GetQuotes, null, options, request);

        /// <inheritdoc cref="GetDomainQuotesAsync(GetQuotesRequest, CallOptions)"/>
        public AsyncUnaryCall<IReadOnlyList<DomainQuote>> GetDomainQuotesAsync(
            GetQuotesRequest request, Metadata? headers = null, DateTime? deadline = null, CancellationToken cancellationToken = default) =>
            GetDomainQuotesAsync(request, new CallOptions(headers, deadline, cancellationToken));
    }

    // Nested, so that it is initialized on first use, after the generated method it copies (the order of static
    // initializers across a partial class's files is not defined).
    private static class DomainQuoteMethods
    {
        /// <summary>The contract's GetQuotes (service, name, request marshaller), with the domain-quote response marshaller.</summary>
        public static readonly Method<GetQuotesRequest, IReadOnlyList<DomainQuote>> GetQuotes = new(
            __Method_GetQuotes.Type, __Method_GetQuotes.ServiceName, __Method_GetQuotes.Name, __Method_GetQuotes.RequestMarshaller, QuotesResponseReader.Marshaller);
    }
}
