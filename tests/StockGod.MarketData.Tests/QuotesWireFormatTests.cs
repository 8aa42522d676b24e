extern alias MarketDataServer;
using System.Buffers;
using Google.Protobuf;
using Grpc.Core;
using MarketDataServer::StockGod.MarketData.Caching;
using MarketDataServer::StockGod.MarketData.Services;
using StockGod.Trading.Market;
using Server = MarketDataServer::StockGod.MarketData.V1;

namespace StockGod.MarketData.Tests;

/// <summary>GetQuotes' hand-written response must be byte for byte what protobuf writes for the same message.</summary>
public sealed class QuotesWireFormatTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 23, 15, 30, 0, TimeSpan.Zero);

    public static TheoryData<long> AgesInTicks => [0, 1, 9_999_999, TimeSpan.TicksPerSecond, 90 * TimeSpan.TicksPerSecond + 1234, 3 * TimeSpan.TicksPerDay + 7];

    [Theory]
    [MemberData(nameof(AgesInTicks))]
    public void Prebuilt_quotes_are_written_as_protobuf_writes_the_message(long ageTicks)
    {
        var fetchedAt = Now - TimeSpan.FromTicks(ageTicks);
        CachedValue<Quote>[] quotes =
        [
            new(new Quote("AAPL", 187.43m, 300, 187.45m, 100, 187.44m, Now.AddSeconds(-1), "synthetic"), true, fetchedAt, Stale: false),
            new(new Quote("BRK.B", 0.000000001m, 0, 123456789012.123456789m, long.MaxValue, -1.5m, Now, "alpaca"), true, fetchedAt, Stale: true),
        ];
        var expected = new Server.GetQuotesResponse { Quotes = { quotes.Select(q => q.ToProto(Now)) }, UnknownSymbols = { "ZZZZ", "ÄÖ" } };
        var prebuilt = new Server.GetQuotesResponse { Prebuilt = [.. quotes.Select(q => q.ToPrebuilt(Now))], UnknownSymbols = { "ZZZZ", "ÄÖ" } };

        Assert.Equal(expected.ToByteArray(), Write(prebuilt));
        Assert.Equal(expected, Server.GetQuotesResponse.Parser.ParseFrom(Write(prebuilt)));
    }

    [Fact]
    public void A_response_without_prebuilt_quotes_is_serialized_as_the_message()
    {
        var quote = new CachedValue<Quote>(new Quote("MSFT", 410m, 1, 410.02m, 2, 410.01m, Now, "replay"), true, Now, Stale: false);
        var message = new Server.GetQuotesResponse { Quotes = { quote.ToProto(Now) } };

        Assert.Equal(message.ToByteArray(), Write(message));
    }

    private static byte[] Write(Server.GetQuotesResponse response)
    {
        var context = new BufferSerializationContext();
        QuotesWireFormat.WriteResponse(response, context);
        Assert.True(context.Completed);
        Assert.Equal(context.PayloadLength, context.Buffer.WrittenCount);
        return context.Buffer.WrittenSpan.ToArray();
    }

    private sealed class BufferSerializationContext : SerializationContext
    {
        public ArrayBufferWriter<byte> Buffer { get; } = new();

        public int? PayloadLength { get; private set; }

        public bool Completed { get; private set; }

        public override void SetPayloadLength(int payloadLength) => PayloadLength = payloadLength;

        public override IBufferWriter<byte> GetBufferWriter() => Buffer;

        public override void Complete() => Completed = true;
    }
}
