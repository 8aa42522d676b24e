using System.Buffers;
using System.Text;
using Google.Protobuf;
using Grpc.Core;
using V1 = StockGod.MarketData.V1;

namespace StockGod.MarketData.Services;

/// <summary>
/// Binds the service as generated, except that GetQuotes' response is written by <see cref="WriteResponse"/>: over
/// gRPC a warm GetQuotes copies each cached quote's prebuilt wire bytes and appends only <c>stale</c> and <c>age</c>,
/// instead of building and serializing a <see cref="V1.Quote"/> (with five sub-messages) per quote per call. JSON
/// transcoding binds the same methods but serializes the message itself, so it is answered from
/// <see cref="V1.GetQuotesResponse.Quotes"/> (<see cref="MarketDataGrpcService.GetQuotes"/> fills one or the other).
/// </summary>
internal static class QuotesWireFormat
{
    private const byte QuoteTag = (1 << 3) | 2;
    private const byte UnknownSymbolTag = (2 << 3) | 2;
    private const byte StaleTag = 9 << 3;
    private const byte AgeTag = (10 << 3) | 2;
    private const byte SecondsTag = 1 << 3;
    private const byte NanosTag = 2 << 3;

    /// <summary>What JSON transcoding and reflection look up beside the bind method: the contract's descriptor.</summary>
    public static Google.Protobuf.Reflection.ServiceDescriptor Descriptor => V1.MarketDataService.Descriptor;

    /// <summary>Named by <see cref="BindServiceMethodAttribute"/> on <see cref="MarketDataServiceBase"/>.</summary>
    public static void BindService(ServiceBinderBase binder, MarketDataServiceBase service) =>
        V1.MarketDataService.BindService(new Binder(binder), service);

    /// <summary>The bytes of a quote's fields 1–8 (everything but <c>stale</c> and <c>age</c>), as protobuf writes them.</summary>
    public static byte[] InvariantBytes(V1.Quote withoutStaleAndAge) => withoutStaleAndAge.ToByteArray();

    /// <summary>Writes the response as protobuf would serialize the equivalent message, byte for byte.</summary>
    public static void WriteResponse(V1.GetQuotesResponse response, SerializationContext context)
    {
        if (response.Prebuilt is not { } quotes)
        {
            context.SetPayloadLength(response.CalculateSize());
            response.WriteTo(context.GetBufferWriter());
            context.Complete();
            return;
        }

        var length = 0;
        foreach (var quote in quotes)
        {
            var size = QuoteSize(quote);
            length += 1 + VarintSize((ulong)size) + size;
        }

        foreach (var symbol in response.UnknownSymbols)
        {
            var size = Encoding.UTF8.GetByteCount(symbol);
            length += 1 + VarintSize((ulong)size) + size;
        }

        context.SetPayloadLength(length);
        var writer = context.GetBufferWriter();
        foreach (var quote in quotes)
        {
            var size = QuoteSize(quote);
            var total = 1 + VarintSize((ulong)size) + size;
            var span = writer.GetSpan(total);
            span[0] = QuoteTag;
            var at = 1 + WriteVarint(span[1..], (ulong)size);
            quote.Fields.CopyTo(span[at..]);
            at += quote.Fields.Length;
            if (quote.Stale)
            {
                span[at++] = StaleTag;
                span[at++] = 1;
            }

            span[at++] = AgeTag;
            at += WriteVarint(span[at..], (ulong)AgeSize(quote));
            if (quote.AgeSeconds != 0)
            {
                span[at++] = SecondsTag;
                at += WriteVarint(span[at..], (ulong)quote.AgeSeconds);
            }

            if (quote.AgeNanos != 0)
            {
                span[at++] = NanosTag;
                at += WriteVarint(span[at..], (ulong)quote.AgeNanos);
            }

            writer.Advance(at);
        }

        foreach (var symbol in response.UnknownSymbols)
        {
            var size = Encoding.UTF8.GetByteCount(symbol);
            var span = writer.GetSpan(1 + VarintSize((ulong)size) + size);
            span[0] = UnknownSymbolTag;
            var at = 1 + WriteVarint(span[1..], (ulong)size);
            at += Encoding.UTF8.GetBytes(symbol, span[at..]);
            writer.Advance(at);
        }

        context.Complete();
    }

    // Age is never negative (ProtoMapping clamps it), so seconds and nanos are plain non-negative varints.
    private static int AgeSize(in V1.PrebuiltQuote quote) =>
        (quote.AgeSeconds != 0 ? 1 + VarintSize((ulong)quote.AgeSeconds) : 0) + (quote.AgeNanos != 0 ? 1 + VarintSize((ulong)quote.AgeNanos) : 0);

    private static int QuoteSize(in V1.PrebuiltQuote quote)
    {
        var age = AgeSize(quote);
        return quote.Fields.Length + (quote.Stale ? 2 : 0) + 1 + VarintSize((ulong)age) + age;
    }

    private static int VarintSize(ulong value)
    {
        var size = 1;
        while (value >= 0x80)
        {
            value >>= 7;
            size++;
        }

        return size;
    }

    private static int WriteVarint(Span<byte> span, ulong value)
    {
        var i = 0;
        while (value >= 0x80)
        {
            span[i++] = (byte)(value | 0x80);
            value >>= 7;
        }

        span[i++] = (byte)value;
        return i;
    }

    /// <summary>Passes every method through, GetQuotes with <see cref="WriteResponse"/> as its response serializer.</summary>
    private sealed class Binder(ServiceBinderBase inner) : ServiceBinderBase
    {
        public override void AddMethod<TRequest, TResponse>(Method<TRequest, TResponse> method, UnaryServerMethod<TRequest, TResponse>? handler)
        {
            if (method is Method<V1.GetQuotesRequest, V1.GetQuotesResponse> getQuotes)
            {
                var marshaller = new Marshaller<V1.GetQuotesResponse>(WriteResponse, getQuotes.ResponseMarshaller.ContextualDeserializer);
                inner.AddMethod(
                    new Method<V1.GetQuotesRequest, V1.GetQuotesResponse>(getQuotes.Type, getQuotes.ServiceName, getQuotes.Name, getQuotes.RequestMarshaller, marshaller),
                    handler as UnaryServerMethod<V1.GetQuotesRequest, V1.GetQuotesResponse>);
                return;
            }

            inner.AddMethod(method, handler);
        }

        public override void AddMethod<TRequest, TResponse>(Method<TRequest, TResponse> method, ServerStreamingServerMethod<TRequest, TResponse>? handler) =>
            inner.AddMethod(method, handler);

        public override void AddMethod<TRequest, TResponse>(Method<TRequest, TResponse> method, ClientStreamingServerMethod<TRequest, TResponse>? handler) =>
            inner.AddMethod(method, handler);

        public override void AddMethod<TRequest, TResponse>(Method<TRequest, TResponse> method, DuplexStreamingServerMethod<TRequest, TResponse>? handler) =>
            inner.AddMethod(method, handler);
    }
}

/// <summary>
/// The generated base with its methods declared again, so that the service is bound by <see cref="QuotesWireFormat"/>:
/// gRPC binds only methods whose base definition is on the type that carries <see cref="BindServiceMethodAttribute"/>.
/// </summary>
[BindServiceMethod(typeof(QuotesWireFormat), nameof(QuotesWireFormat.BindService))]
internal abstract class MarketDataServiceBase : V1.MarketDataService.MarketDataServiceBase
{
    public new abstract Task<V1.GetQuotesResponse> GetQuotes(V1.GetQuotesRequest request, ServerCallContext context);

    public new abstract Task<V1.ListSymbolsResponse> ListSymbols(V1.ListSymbolsRequest request, ServerCallContext context);

    public new abstract Task<V1.GetSnapshotsResponse> GetSnapshots(V1.GetSnapshotsRequest request, ServerCallContext context);

    public new abstract Task<V1.GetBarsResponse> GetBars(V1.GetBarsRequest request, ServerCallContext context);

    public new abstract Task StreamQuotes(V1.StreamQuotesRequest request, IServerStreamWriter<V1.Quote> responseStream, ServerCallContext context);
}
