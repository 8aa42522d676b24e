using System.Buffers;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Grpc.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using StockGod.MarketData.Client;
using StockGod.MarketData.Tests.Support;
using StockGod.Testing;
using StockGod.Testing.MarketData;
using StockGod.Trading.Market;

namespace StockGod.MarketData.Tests;

/// <summary>
/// The consumers' GetQuotes reader (<see cref="QuotesResponseReader"/>, <c>GetDomainQuotesAsync</c>) against the
/// generated client + <c>ToQuote</c>: the same quotes from the same bytes, whatever the bytes.
/// </summary>
public sealed class QuotesResponseReaderTests
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Fact]
    public async Task The_reader_gives_the_quotes_the_generated_client_and_ToQuote_give_for_the_same_call_fresh_and_stale()
    {
        var universe = Enumerable.Range(0, 150).Select(i => $"S{i:D3}").Append("BRK.B").ToArray();
        await using var server = await MarketDataTestHost.StartAsync(await TestServers.RedisAsync(),
            settings: universe.Select((s, i) => KeyValuePair.Create($"MarketData:Synthetic:Symbols:{i}", (string?)s)).ToDictionary());
        await using var consumer = MarketDataConsumer.Create(server);
        var client = consumer.Services.GetRequiredService<V1.MarketDataService.MarketDataServiceClient>();
        // Known symbols in mixed case and order, and two unknown ones left out of both results.
        var request = new V1.GetQuotesRequest { Symbols = { Enumerable.Reverse(universe).Select((s, i) => i % 3 == 0 ? s.ToLowerInvariant() : s), "NOPE", "ZZZZ" } };

        var fresh = await client.GetDomainQuotesAsync(request, cancellationToken: Ct);
        var freshExpected = (await client.GetQuotesAsync(request, cancellationToken: Ct)).Quotes.Select(q => q.ToQuote()).ToArray();
        // More than one call's 1,000 symbols: a first batch of unknown ones only (NOT_FOUND), then the universe twice.
        var batched = await consumer.Services.GetRequiredService<IMarketDataSource>().GetQuotesAsync(
            [.. Enumerable.Range(0, 1_000).Select(i => $"X{i:D4}"), .. universe, .. universe.Select(s => s.ToLowerInvariant())], Ct);
        server.Provider.Failing = true;
        server.Time.Advance(TimeSpan.FromMinutes(3));
        var stale = await client.GetDomainQuotesAsync(request, cancellationToken: Ct);
        var staleExpected = (await client.GetQuotesAsync(request, cancellationToken: Ct)).Quotes.Select(q => q.ToQuote()).ToArray();
        var fromSource = await consumer.Services.GetRequiredService<IMarketDataSource>().GetQuotesAsync([.. request.Symbols], Ct);

        AssertSameQuotes(freshExpected, fresh);
        AssertSameQuotes(staleExpected, stale);
        Assert.Equal(universe.Length, fresh.Count);
        Assert.All(fresh, q => Assert.False(q.Stale));
        Assert.All(stale, q => Assert.True(q.Stale));
        Assert.Contains(fresh, q => q.Symbol == "BRK.B");
        // The source as registered: the same quotes by symbol, case-insensitively, the unknown ones left out.
        Assert.Equal(staleExpected.OrderBy(q => q.Symbol, StringComparer.Ordinal).Select(Exact), fromSource.Values.OrderBy(q => q.Symbol, StringComparer.Ordinal).Select(Exact));
        Assert.Same(fromSource["brk.b"], fromSource["BRK.B"]);
        Assert.Equal(freshExpected.OrderBy(q => q.Symbol, StringComparer.Ordinal).Select(Exact), batched.Values.OrderBy(q => q.Symbol, StringComparer.Ordinal).Select(Exact));
        Assert.False(fromSource.ContainsKey("NOPE"));
    }

    [Fact]
    public void Edge_case_values_read_as_the_generated_parser_and_ToQuote_read_them_from_one_segment_or_many()
    {
        var payload = EdgeCaseResponse().ToByteArray();
        var expected = Generated(payload);

        var read = QuotesResponseReader.Read(payload);
        var again = QuotesResponseReader.Read(payload);

        AssertSameQuotes(expected, read);
        Assert.Equal(-1.5m, expected[1].LastPrice);
        // Symbols and sources come from the pool: read again, they are the same strings, not new ones.
        Assert.Same(read[0].Symbol, again[0].Symbol);
        Assert.Same(read[1].Source, again[1].Source);
        Assert.Equal(DateTimeOffset.MaxValue, expected[2].Timestamp);
        for (var split = 1; split < payload.Length; split++)
        {
            AssertSameQuotes(expected, QuotesResponseReader.Read(Segmented(payload, split)));
        }
    }

    [Fact]
    public void Unknown_fields_of_every_wire_type_are_skipped_at_every_level_and_a_repeated_price_merges_as_in_the_generated_parser()
    {
        var quote = EdgeCaseResponse().Quotes[0];
        // The quote, then unknown fields, then bid_price again with an unknown field inside: protobuf merges the two.
        var quoteBytes = Concat(
            quote.ToByteArray(),
            UnknownFields(),
            Field(2, Concat(new V1.DecimalValue { Units = 7 }.ToByteArray(), UnknownFields())),
            Field(7, Concat(UnknownFields(), new Timestamp { Nanos = 5_000 }.ToByteArray())));
        var payload = Concat(UnknownFields(), Field(1, quoteBytes), UnknownFields(), EdgeCaseResponse().ToByteArray(), UnknownFields());
        var expected = Generated(payload);

        var read = QuotesResponseReader.Read(payload);

        AssertSameQuotes(expected, read);
        Assert.Equal(5, read.Length);
        Assert.Equal(quote.ToQuote() with { BidPrice = 7.000000001m, Timestamp = quote.Timestamp.ToDateTimeOffset().AddTicks(50 - (quote.Timestamp.Nanos / 100)) }, read[0]);
    }

    [Fact]
    public void Every_truncation_and_thousands_of_corruptions_read_as_the_generated_parser_reads_them_or_fail_as_it_fails()
    {
        var payload = Concat(EdgeCaseResponse().ToByteArray(), UnknownFields());
        var random = new Random(20261203);
        int reads = 0, failures = 0;

        for (var length = 0; length < payload.Length; length++)
        {
            _ = AssertAgree(payload[..length]) ? reads++ : failures++;
        }

        for (var i = 0; i < 5_000; i++)
        {
            var corrupted = payload.ToList();
            var at = random.Next(corrupted.Count);
            switch (random.Next(3))
            {
                case 0: corrupted[at] ^= (byte)(1 << random.Next(8)); break;
                case 1: corrupted.Insert(at, (byte)random.Next(256)); break;
                default: corrupted.RemoveAt(at); break;
            }

            _ = AssertAgree([.. corrupted]) ? reads++ : failures++;
        }

        // Not vacuous: many of these payloads are read and many rejected.
        Assert.True(reads > 500 && failures > 500, $"{reads} read, {failures} rejected");
    }

    [Fact]
    public void Malformed_payloads_the_generated_parser_rejects_are_rejected_through_the_marshaller()
    {
        byte[][] malformed =
        [
            [0x0A, 0x05, 0x0A, 0x01],                             // a quote longer than the payload
            [0x00],                                                // field number 0
            [0x0A, 0x02, 0x1C, 0x00],                             // an end-group tag with no start-group (field 3)
            [0x0A, 0x02, 0x1B, 0x24],                             // a group ended by another field's end-group tag
            [0x0A, 0x01, 0x1B],                                   // a group never ended
            [0x0A, 0x02, 0x1E, 0x00],                             // wire type 6
            [0x18, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0x01], // a varint of 11 bytes
            [0x0A, 0x0B, 0x0A, 0xFF, 0xFF, 0xFF, 0xFF, 0x0F, 0x41, 0x41, 0x41, 0x41, 0x41], // a negative length
            Field(1, Field(2, [0x15, 0x01, 0x02])),               // a price's nanos cut short
            Field(1, [0x0A, 0x02, 0xC3, 0x28]),                   // a symbol that is not UTF-8
            [0x12, 0x01, 0xFF],                                   // an unknown symbol that is not UTF-8
            Field(1, new V1.Quote { Symbol = "AAPL", AskPrice = 1m, LastPrice = 1m, Timestamp = new Timestamp() }.ToByteArray()), // no bid
            Field(1, new V1.Quote { Symbol = "AAPL", BidPrice = 1m, AskPrice = 1m, LastPrice = 1m }.ToByteArray()), // no timestamp
            Field(1, new V1.Quote { Symbol = "AAPL", BidPrice = 1m, AskPrice = 1m, LastPrice = 1m, Timestamp = new Timestamp { Nanos = -1 } }.ToByteArray()),
        ];

        foreach (var payload in malformed)
        {
            Assert.Null(TryGenerated(payload));
            Assert.Throws<InvalidDataException>(() => QuotesResponseReader.Marshaller.ContextualDeserializer(new PayloadContext(payload)));
        }
    }

    [Fact]
    public async Task A_response_the_reader_cannot_read_fails_the_call_with_INTERNAL_instead_of_giving_quotes()
    {
        await using var server = await MarketDataTestHost.StartAsync(await TestServers.RedisAsync(),
            settings: new Dictionary<string, string?> { ["MarketData:Synthetic:Symbols:0"] = "AAPL" });
        // ListSymbols' real response, {symbols: ["AAPL"]}, read as a GetQuotes response: "AAPL" is not a quote's bytes.
        var listSymbolsAsQuotes = new Method<V1.GetQuotesRequest, IReadOnlyList<Quote>>(
            MethodType.Unary, V1.MarketDataService.Descriptor.FullName, "ListSymbols",
            Marshallers.Create((V1.GetQuotesRequest r) => r.ToByteArray(), V1.GetQuotesRequest.Parser.ParseFrom),
            QuotesResponseReader.Marshaller);

        var error = await Assert.ThrowsAsync<RpcException>(async () =>
            await server.Channel.CreateCallInvoker().AsyncUnaryCall(listSymbolsAsQuotes, null, new CallOptions(cancellationToken: Ct), new V1.GetQuotesRequest()));

        Assert.Equal(StatusCode.Internal, error.StatusCode);
        Assert.IsType<InvalidDataException>(error.Status.DebugException);
    }

    [Fact]
    public async Task The_registered_clients_retry_on_UNAVAILABLE_applies_to_the_reader()
    {
        await using var server = await MarketDataTestHost.StartAsync(await TestServers.RedisAsync());
        await using var consumer = MarketDataConsumer.Create(server, builder => builder.Configuration["MarketData:Client:MaxAttempts"] = "3");
        var source = consumer.Services.GetRequiredService<IMarketDataSource>();
        server.Provider.Failing = true;
        var before = server.Provider.QuoteCalls;

        var error = await Assert.ThrowsAsync<RpcException>(() => source.GetQuotesAsync(["AAPL"], Ct));

        Assert.Equal(StatusCode.Unavailable, error.StatusCode);
        // Each attempt reached the service, which asked its failing provider once (nothing cached).
        Assert.Equal(3, server.Provider.QuoteCalls - before);
    }

    [Fact]
    public async Task The_registered_clients_default_deadline_applies_to_the_reader()
    {
        await using var server = await MarketDataTestHost.StartAsync(await TestServers.RedisAsync());
        // The consumer's clock an hour behind: the interceptor's default deadline (now + 5 s) has already passed.
        await using var consumer = MarketDataConsumer.Create(server, builder => builder.Services.AddSingleton<TimeProvider>(new FakeTimeProvider(TimeProvider.System.GetUtcNow().AddHours(-1))));
        var source = consumer.Services.GetRequiredService<IMarketDataSource>();
        var before = server.Provider.QuoteCalls;

        var error = await Assert.ThrowsAsync<RpcException>(() => source.GetQuotesAsync(["AAPL"], Ct));

        Assert.Equal(StatusCode.DeadlineExceeded, error.StatusCode);
        Assert.Equal(before, server.Provider.QuoteCalls);
    }

    /// <summary>Quotes at the edges of every field: decimals, sizes, timestamps, symbols, stale or not.</summary>
    private static V1.GetQuotesResponse EdgeCaseResponse()
    {
        static V1.DecimalValue Dec(long units, int nanos) => new() { Units = units, Nanos = nanos };
        return new V1.GetQuotesResponse
        {
            Quotes =
            {
                new V1.Quote
                {
                    Symbol = "BRK.B", BidPrice = 0.000000001m, BidSize = long.MaxValue, AskPrice = 123456789012.123456789m, AskSize = 0,
                    LastPrice = Dec(0, 0), Timestamp = new Timestamp { Seconds = 1_773_154_800, Nanos = 123_456_789 }, Source = "synthetic",
                    Age = Duration.FromTimeSpan(TimeSpan.FromSeconds(1.5)),
                },
                new V1.Quote
                {
                    Symbol = "ÄÖ", BidPrice = -0.000000001m, BidSize = -1, AskPrice = Dec(long.MaxValue, 999_999_999), AskSize = long.MinValue,
                    LastPrice = -1.5m, Timestamp = new Timestamp { Seconds = -62_135_596_800 }, Source = "alpaca", Stale = true,
                    Age = new Duration { Seconds = 315_576_000_000, Nanos = 999_999_999 },
                },
                new V1.Quote
                {
                    Symbol = new string('X', 100), BidPrice = Dec(long.MinValue, -999_999_999), AskPrice = Dec(1, -500_000_000),
                    LastPrice = Dec(-3, 250_000_000), Timestamp = new Timestamp { Seconds = 253_402_300_799, Nanos = 999_999_999 }, Source = "",
                },
                new V1.Quote { BidPrice = 187.43m, AskPrice = 187.45m, LastPrice = 187.44m, Timestamp = new Timestamp(), Stale = true },
            },
            UnknownSymbols = { "NOPE", "ÜÜ" },
        };
    }

    /// <summary>Fields 90–95 of every wire type a newer server could add, a group holding a group included.</summary>
    private static byte[] UnknownFields()
    {
        using var stream = new MemoryStream();
        var output = new CodedOutputStream(stream);
        output.WriteTag(90, WireFormat.WireType.Varint);
        output.WriteInt64(-42);
        output.WriteTag(91, WireFormat.WireType.Fixed64);
        output.WriteFixed64(ulong.MaxValue);
        output.WriteTag(92, WireFormat.WireType.LengthDelimited);
        output.WriteString("a newer field");
        output.WriteTag(93, WireFormat.WireType.Fixed32);
        output.WriteFixed32(7);
        output.WriteTag(94, WireFormat.WireType.StartGroup);
        output.WriteTag(1, WireFormat.WireType.Varint);
        output.WriteInt32(1);
        output.WriteTag(95, WireFormat.WireType.StartGroup);
        output.WriteTag(2, WireFormat.WireType.LengthDelimited);
        output.WriteBytes(ByteString.CopyFrom(1, 2, 3));
        output.WriteTag(95, WireFormat.WireType.EndGroup);
        output.WriteTag(94, WireFormat.WireType.EndGroup);
        output.Flush();
        return stream.ToArray();
    }

    private static byte[] Field(int number, byte[] message)
    {
        using var stream = new MemoryStream();
        var output = new CodedOutputStream(stream);
        output.WriteTag(number, WireFormat.WireType.LengthDelimited);
        output.WriteBytes(ByteString.CopyFrom(message));
        output.Flush();
        return stream.ToArray();
    }

    private static byte[] Concat(params byte[][] parts) => [.. parts.SelectMany(p => p)];

    private static ReadOnlySequence<byte> Segmented(byte[] payload, int split)
    {
        var first = new Segment(payload.AsMemory(0, split));
        var last = first.Append(payload.AsMemory(split));
        return new ReadOnlySequence<byte>(first, 0, last, last.Memory.Length);
    }

    private static Quote[] Generated(byte[] payload) => [.. V1.GetQuotesResponse.Parser.ParseFrom(payload).Quotes.Select(q => q.ToQuote())];

    private static Quote[]? TryGenerated(byte[] payload)
    {
        try
        {
            return Generated(payload);
        }
        catch (Exception ex) when (ex is InvalidProtocolBufferException or ArgumentNullException or NullReferenceException or InvalidOperationException)
        {
            return null;
        }
    }

    /// <summary>Both read the same quotes, or both fail; true when both read.</summary>
    private static bool AssertAgree(byte[] payload)
    {
        var expected = TryGenerated(payload);
        Quote[]? read;
        try
        {
            read = QuotesResponseReader.Read(payload);
        }
        catch (InvalidDataException)
        {
            read = null;
        }

        if (expected is null || read is null)
        {
            Assert.True(expected is null && read is null, $"generated {(expected is null ? "failed" : "read")}, the reader {(read is null ? "failed" : "read")}: {Convert.ToHexString(payload)}");
            return false;
        }

        AssertSameQuotes(expected, read);
        return true;
    }

    /// <summary>Equal as records, and exactly: decimals' scale (their text), timestamps' offset and ticks.</summary>
    private static void AssertSameQuotes(IReadOnlyList<Quote> expected, IReadOnlyList<Quote> actual)
    {
        Assert.Equal(expected, actual);
        Assert.Equal(expected.Select(Exact), actual.Select(Exact));
    }

    private static string Exact(Quote q) => $"{q} {q.Timestamp.UtcTicks} {q.Timestamp.Offset}";

    private sealed class Segment : ReadOnlySequenceSegment<byte>
    {
        public Segment(ReadOnlyMemory<byte> memory) => Memory = memory;

        public Segment Append(ReadOnlyMemory<byte> memory)
        {
            var next = new Segment(memory) { RunningIndex = RunningIndex + Memory.Length };
            Next = next;
            return next;
        }
    }

    private sealed class PayloadContext(byte[] payload) : DeserializationContext
    {
        public override int PayloadLength => payload.Length;

        public override byte[] PayloadAsNewBuffer() => [.. payload];

        public override ReadOnlySequence<byte> PayloadAsReadOnlySequence() => new(payload);
    }
}
