using System.Buffers;
using System.Buffers.Binary;
using System.Collections.Concurrent;
using System.Text;
using Grpc.Core;
using StockGod.Trading.Market;
using V1 = StockGod.MarketData.V1;

namespace StockGod.MarketData.Client;

/// <summary>
/// Reads a GetQuotes response's bytes (<c>GetQuotesResponse</c> of marketdata.proto) straight into domain
/// <see cref="Quote"/>s: no generated <c>Quote</c>, <c>DecimalValue</c>, <c>Timestamp</c> or <c>Duration</c> in between,
/// and symbols and sources come from a shared pool instead of a new string per quote per call. It reads what the
/// generated parser reads, as it does: a later occurrence of a field wins (a message field merges), unknown fields are
/// skipped by wire type (a newer server may add some), and whatever the generated parser rejects, or the generated
/// <c>ToQuote</c> mapping cannot convert (a missing price or timestamp, a timestamp out of range), throws
/// <see cref="InvalidDataException"/>: Grpc.Net.Client reports that as the call failing with INTERNAL.
/// <c>unknown_symbols</c> is checked (UTF-8) but not kept: unknown symbols are left out, as the consumers leave them out.
/// </summary>
public static class QuotesResponseReader
{
    // Google.Protobuf's default: how deep messages and groups may nest.
    private const int RecursionLimit = 100;

    private const uint ResponseQuoteTag = (1 << 3) | 2;
    private const uint ResponseUnknownSymbolTag = (2 << 3) | 2;

    private const uint SymbolTag = (1 << 3) | 2;
    private const uint BidPriceTag = (2 << 3) | 2;
    private const uint BidSizeTag = 3 << 3;
    private const uint AskPriceTag = (4 << 3) | 2;
    private const uint AskSizeTag = 5 << 3;
    private const uint LastPriceTag = (6 << 3) | 2;
    private const uint TimestampTag = (7 << 3) | 2;
    private const uint SourceTag = (8 << 3) | 2;
    private const uint StaleTag = 9 << 3;
    private const uint AgeTag = (10 << 3) | 2;

    // DecimalValue: int64 units = 1; sfixed32 nanos = 2.
    private const uint UnitsTag = 1 << 3;
    private const uint DecimalNanosTag = (2 << 3) | 5;

    // Timestamp and Duration: int64 seconds = 1; int32 nanos = 2.
    private const uint SecondsTag = 1 << 3;
    private const uint TimeNanosTag = 2 << 3;

    // Timestamp.ToDateTimeOffset's range: 0001-01-01 to 9999-12-31T23:59:59.999999999Z.
    private const long MinTimestampSeconds = -62_135_596_800;
    private const long MaxTimestampSeconds = 253_402_300_799;
    private const int NanosPerTick = 100;

    /// <summary>GetQuotes' response marshaller for <see cref="V1.MarketDataService.MarketDataServiceClient.GetDomainQuotesAsync(V1.GetQuotesRequest, CallOptions)"/>.</summary>
    public static Marshaller<IReadOnlyList<Quote>> Marshaller { get; } = Marshallers.Create<IReadOnlyList<Quote>>(
        (_, _) => throw new NotSupportedException("A client only reads GetQuotes responses."),
        context => Read(context.PayloadAsReadOnlySequence()));

    /// <summary>The quotes of a serialized <c>GetQuotesResponse</c>, in the response's order.</summary>
    public static Quote[] Read(in ReadOnlySequence<byte> payload)
    {
        if (payload.IsSingleSegment)
        {
            return Read(payload.FirstSpan);
        }

        // Grpc.Net.Client hands over one segment; any other caller's segments are joined in a pooled buffer.
        var length = checked((int)payload.Length);
        var buffer = ArrayPool<byte>.Shared.Rent(length);
        try
        {
            payload.CopyTo(buffer);
            return Read(buffer.AsSpan(0, length));
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <inheritdoc cref="Read(in ReadOnlySequence{byte})"/>
    public static Quote[] Read(ReadOnlySpan<byte> payload)
    {
        // Two passes so that the result is one array of the exact size: the first checks the framing and counts.
        var count = 0;
        var reader = new WireReader(payload, depth: 0);
        while (!reader.End)
        {
            var tag = reader.ReadTag();
            if (tag == ResponseQuoteTag)
            {
                reader.ReadLengthDelimited();
                count++;
            }
            else if (tag == ResponseUnknownSymbolTag)
            {
                // Not used, but checked: the generated parser decodes it and rejects a string that is not UTF-8.
                ThrowIfNotUtf8(reader.ReadLengthDelimited());
            }
            else
            {
                reader.SkipField(tag);
            }
        }

        if (count == 0)
        {
            return [];
        }

        var quotes = new Quote[count];
        var index = 0;
        reader = new WireReader(payload, depth: 0);
        while (!reader.End)
        {
            var tag = reader.ReadTag();
            if (tag == ResponseQuoteTag)
            {
                quotes[index] = ReadQuote(reader.ReadLengthDelimited(), index);
                index++;
            }
            else
            {
                reader.SkipField(tag);
            }
        }

        return quotes;
    }

    private static Quote ReadQuote(ReadOnlySpan<byte> message, int index)
    {
        var reader = new WireReader(message, depth: 1);
        string symbol = "", source = "";
        long bidSize = 0, askSize = 0;
        var stale = false;
        Parts bid = default, ask = default, last = default, timestamp = default, age = default;
        while (!reader.End)
        {
            var tag = reader.ReadTag();
            switch (tag)
            {
                case SymbolTag: symbol = StringPool.Get(reader.ReadLengthDelimited()); break;
                case BidPriceTag: MergeDecimal(reader.ReadLengthDelimited(), ref bid); break;
                case BidSizeTag: bidSize = (long)reader.ReadVarint(); break;
                case AskPriceTag: MergeDecimal(reader.ReadLengthDelimited(), ref ask); break;
                case AskSizeTag: askSize = (long)reader.ReadVarint(); break;
                case LastPriceTag: MergeDecimal(reader.ReadLengthDelimited(), ref last); break;
                case TimestampTag: MergeTime(reader.ReadLengthDelimited(), ref timestamp); break;
                case SourceTag: source = StringPool.Get(reader.ReadLengthDelimited()); break;
                case StaleTag: stale = reader.ReadVarint() != 0; break;
                // Not part of the domain quote, but read so that a malformed age fails as it does in the generated parser.
                case AgeTag: MergeTime(reader.ReadLengthDelimited(), ref age); break;
                default: reader.SkipField(tag); break;
            }
        }

        return new Quote(
            symbol,
            ToDecimal(bid, index, "bid_price"),
            bidSize,
            ToDecimal(ask, index, "ask_price"),
            askSize,
            ToDecimal(last, index, "last_price"),
            ToDateTimeOffset(timestamp, index),
            source,
            stale);
    }

    private static void MergeDecimal(ReadOnlySpan<byte> message, ref Parts value)
    {
        value.Present = true;
        var reader = new WireReader(message, depth: 2);
        while (!reader.End)
        {
            var tag = reader.ReadTag();
            switch (tag)
            {
                case UnitsTag: value.Whole = (long)reader.ReadVarint(); break;
                case DecimalNanosTag: value.Nanos = reader.ReadFixed32(); break;
                default: reader.SkipField(tag); break;
            }
        }
    }

    /// <summary>Merges a Timestamp or a Duration: both are seconds (int64) and nanos (int32).</summary>
    private static void MergeTime(ReadOnlySpan<byte> message, ref Parts value)
    {
        value.Present = true;
        var reader = new WireReader(message, depth: 2);
        while (!reader.End)
        {
            var tag = reader.ReadTag();
            switch (tag)
            {
                case SecondsTag: value.Whole = (long)reader.ReadVarint(); break;
                // int32 on the wire is a varint of up to 10 bytes whose low 32 bits are the value.
                case TimeNanosTag: value.Nanos = (int)reader.ReadVarint(); break;
                default: reader.SkipField(tag); break;
            }
        }
    }

    private static void ThrowIfNotUtf8(ReadOnlySpan<byte> bytes)
    {
        if (!System.Text.Unicode.Utf8.IsValid(bytes))
        {
            throw new InvalidDataException("GetQuotes response: malformed message (a string that is not UTF-8).");
        }
    }

    private static decimal ToDecimal(in Parts value, int index, string field) => value.Present
        ? V1.DecimalValue.ToDecimal(value.Whole, value.Nanos)
        : throw new InvalidDataException($"GetQuotes response: quote {index} has no {field}.");

    // As Timestamp.ToDateTimeOffset: a normalized timestamp only, at UTC.
    private static DateTimeOffset ToDateTimeOffset(in Parts value, int index)
    {
        if (!value.Present)
        {
            throw new InvalidDataException($"GetQuotes response: quote {index} has no timestamp.");
        }

        if (value.Whole is < MinTimestampSeconds or > MaxTimestampSeconds || value.Nanos is < 0 or > 999_999_999)
        {
            throw new InvalidDataException($"GetQuotes response: quote {index} has an invalid timestamp (seconds {value.Whole}, nanos {value.Nanos}).");
        }

        return DateTimeOffset.UnixEpoch.AddTicks((value.Whole * TimeSpan.TicksPerSecond) + (value.Nanos / NanosPerTick));
    }

    /// <summary>A DecimalValue, Timestamp or Duration as read so far: whole units or seconds, and nanos.</summary>
    private struct Parts
    {
        public bool Present;
        public long Whole;
        public int Nanos;
    }

    /// <summary>The protobuf wire format over one message's bytes.</summary>
    private ref struct WireReader(ReadOnlySpan<byte> buffer, int depth)
    {
        private readonly ReadOnlySpan<byte> _buffer = buffer;
        private int _position;
        private int _depth = depth;

        public readonly bool End => _position >= _buffer.Length;

        public uint ReadTag()
        {
            // A tag is a varint32: the low 32 bits of up to 10 bytes.
            var tag = (uint)ReadVarint();
            return tag >> 3 == 0 ? throw Malformed("a field number of 0") : tag;
        }

        public ulong ReadVarint()
        {
            ulong value = 0;
            for (var shift = 0; shift < 70; shift += 7)
            {
                if (_position >= _buffer.Length)
                {
                    throw Truncated();
                }

                var b = _buffer[_position++];
                value |= (ulong)(b & 0x7F) << shift;
                if (b < 0x80)
                {
                    return value;
                }
            }

            throw Malformed("a varint longer than 10 bytes");
        }

        public int ReadFixed32() => BinaryPrimitives.ReadInt32LittleEndian(Take(4));

        public ReadOnlySpan<byte> ReadLengthDelimited()
        {
            var length = (int)ReadVarint();
            return length < 0 ? throw Malformed("a negative length") : Take(length);
        }

        /// <summary>Skips a field this reader does not know, by its wire type.</summary>
        public void SkipField(uint tag)
        {
            switch (tag & 7)
            {
                case 0: ReadVarint(); break;
                case 1: Take(8); break;
                case 2: ReadLengthDelimited(); break;
                case 3: SkipGroup(tag); break;
                case 5: Take(4); break;
                case 4: throw Malformed("an end-group tag without its start-group");
                default: throw Malformed($"wire type {tag & 7}");
            }
        }

        private void SkipGroup(uint startTag)
        {
            if (_depth >= RecursionLimit)
            {
                throw Malformed($"messages nested more than {RecursionLimit} deep");
            }

            _depth++;
            var endTag = (startTag & ~7u) | 4;
            while (true)
            {
                var tag = End ? throw Truncated() : ReadTag();
                if (tag == endTag)
                {
                    break;
                }

                if ((tag & 7) == 4)
                {
                    throw Malformed("a group ended by another field's end-group tag");
                }

                SkipField(tag);
            }

            _depth--;
        }

        private ReadOnlySpan<byte> Take(int length)
        {
            if (length > _buffer.Length - _position)
            {
                throw Truncated();
            }

            var bytes = _buffer.Slice(_position, length);
            _position += length;
            return bytes;
        }

        private static InvalidDataException Truncated() => new("GetQuotes response: truncated message.");

        private static InvalidDataException Malformed(string what) => new($"GetQuotes response: malformed message ({what}).");
    }

    /// <summary>
    /// Symbols and sources repeat in every response, so each is decoded into a stack buffer and looked up: a warm call
    /// allocates no strings for them. Bounded: past <see cref="MaxEntries"/> distinct strings new ones are allocated
    /// but not kept. Not interned against the request's symbols because a marshaller has no per-call state, and a
    /// <see cref="Method{TRequest, TResponse}"/> per call would grow Grpc.Net.Client's per-method cache without end.
    /// </summary>
    private static class StringPool
    {
        private const int MaxEntries = 20_000;
        private const int MaxPooledBytes = 64;

        // Strings are checked first: Google.Protobuf rejects a string that is not UTF-8, it does not replace bytes.
        private static readonly Encoding Utf8 = Encoding.UTF8;
        private static readonly ConcurrentDictionary<string, string> Pool = new(StringComparer.Ordinal);
        private static readonly ConcurrentDictionary<string, string>.AlternateLookup<ReadOnlySpan<char>> Lookup = Pool.GetAlternateLookup<ReadOnlySpan<char>>();
        private static int _entries;

        public static string Get(ReadOnlySpan<byte> utf8)
        {
            if (utf8.IsEmpty)
            {
                return "";
            }

            ThrowIfNotUtf8(utf8);

            if (utf8.Length > MaxPooledBytes)
            {
                return Utf8.GetString(utf8);
            }

            // UTF-8 never decodes to more chars than it has bytes.
            Span<char> buffer = stackalloc char[MaxPooledBytes];
            var chars = buffer[..Utf8.GetChars(utf8, buffer)];
            if (Lookup.TryGetValue(chars, out var pooled))
            {
                return pooled;
            }

            var value = new string(chars);
            if (Volatile.Read(ref _entries) < MaxEntries && Pool.TryAdd(value, value))
            {
                Interlocked.Increment(ref _entries);
            }

            return value;
        }
    }
}
