using System.Buffers.Text;
using System.Collections.Immutable;
using System.IO.Compression;
using System.Runtime.InteropServices;
using System.Text;
using StockGod.Trading.Calendar;

namespace StockGod.Trading.Market;

/// <summary>The daily bars of one symbol, oldest first, one per date.</summary>
public sealed record SymbolBars(string Symbol, ImmutableArray<Bar> Bars);

/// <summary>A whole daily bar file in memory: bars per symbol (oldest first) and what the load had to fix.</summary>
public sealed class DailyBarHistory(IReadOnlyDictionary<string, ImmutableArray<Bar>> barsBySymbol, DailyBarLoadReport report)
{
    public IReadOnlyDictionary<string, ImmutableArray<Bar>> BarsBySymbol { get; } = barsBySymbol;

    public DailyBarLoadReport Report { get; } = report;
}

/// <summary>
/// Reads daily OHLCV files shaped as <c>date,open,high,low,close,volume,Name</c> (the S&amp;P 500 file in
/// <c>shared/data</c>; columns are found by header name, gzip is detected by its magic bytes). It streams: one line
/// buffer, numbers parsed from UTF-8 bytes, one string per symbol. Bad rows never stop a load: they are repaired
/// when the repair invents nothing, skipped otherwise, and counted per kind in a <see cref="DailyBarLoadReport"/>.
/// A bar's timestamp is its date at 00:00 New York. Quoted fields are not supported (the format has none).
/// </summary>
public static class DailyBarCsvReader
{
    /// <summary>Loads a whole file, merging a symbol whose rows are not contiguous.</summary>
    public static DailyBarHistory ReadFile(string path, CancellationToken cancellationToken = default)
    {
        using var stream = OpenFile(path);
        var report = new DailyBarLoadReport();
        var bySymbol = new Dictionary<string, ImmutableArray<Bar>>(StringComparer.Ordinal);
        foreach (var group in Read(stream, report))
        {
            cancellationToken.ThrowIfCancellationRequested();
            bySymbol[group.Symbol] = bySymbol.TryGetValue(group.Symbol, out var earlier)
                ? InDateOrder(group.Symbol, [.. earlier, .. group.Bars], report)
                : group.Bars;
        }

        report.Symbols = bySymbol.Count;
        report.BarsLoaded = bySymbol.Values.Sum(bars => (long)bars.Length);
        return new DailyBarHistory(bySymbol, report);
    }

    /// <summary>Opens a file for <see cref="Read"/>, decompressing it when it is gzip.</summary>
    public static Stream OpenFile(string path)
    {
        var file = new FileStream(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1 << 16);
        Span<byte> magic = stackalloc byte[2];
        var isGzip = file.ReadAtLeast(magic, 2, throwOnEndOfStream: false) == 2 && magic[0] == 0x1f && magic[1] == 0x8b;
        file.Position = 0;
        return isGzip ? new GZipStream(file, CompressionMode.Decompress) : file;
    }

    /// <summary>
    /// Streams the symbols of a CSV as they come (the file groups rows by symbol). A symbol whose rows are split
    /// into several runs comes out once per run; <see cref="ReadFile"/> merges them.
    /// </summary>
    public static IEnumerable<SymbolBars> Read(Stream csv, DailyBarLoadReport report)
    {
        ArgumentNullException.ThrowIfNull(csv);
        ArgumentNullException.ThrowIfNull(report);
        var parser = new Parser(csv, report);
        while (parser.TryReadSymbol(out var group))
        {
            yield return group;
        }
    }

    private static ImmutableArray<Bar> InDateOrder(string symbol, List<Bar> bars, DailyBarLoadReport report)
    {
        // A stable sort keeps the first of two rows with the same date, which is the one that wins.
        var sorted = bars.OrderBy(bar => bar.Timestamp).ToList();
        var unique = new List<Bar>(sorted.Count);
        foreach (var bar in sorted)
        {
            if (unique.Count > 0 && unique[^1].Timestamp == bar.Timestamp)
            {
                report.Record(0, DailyBarRowIssue.DuplicateDateSkipped, symbol, DateOnly.FromDateTime(bar.Timestamp.DateTime).ToString("yyyy-MM-dd", null));
                continue;
            }

            unique.Add(bar);
        }

        return [.. unique];
    }

    private sealed class Parser(Stream stream, DailyBarLoadReport report)
    {
        private static readonly string[] RequiredColumns = ["date", "open", "high", "low", "close", "volume", "name"];

        private readonly Dictionary<int, DateTimeOffset> _midnights = [];
        private readonly HashSet<string> _symbolsSeen = new(StringComparer.Ordinal);
        private byte[] _buffer = new byte[1 << 16];
        private int _start;
        private int _end;
        private bool _endOfStream;
        private long _line;

        private int[]? _columns;
        private int _fieldCount;

        private byte[] _symbolBytes = [];
        private string? _symbol;
        private List<Bar> _bars = [];
        private int _lastDayNumber;
        private bool _unordered;

        public bool TryReadSymbol(out SymbolBars group)
        {
            while (TryReadLine(out var line))
            {
                if (line.IsEmpty)
                {
                    continue;
                }

                if (_columns is null)
                {
                    ReadHeader(line);
                    continue;
                }

                report.RowsRead++;
                if (!TryParseRow(line, out var symbol, out var date, out var bar))
                {
                    continue;
                }

                if (_symbol is not null && symbol.SequenceEqual(_symbolBytes))
                {
                    Append(date, bar);
                    continue;
                }

                var finished = _symbol is null ? null : FinishSymbol();
                StartSymbol(symbol);
                Append(date, bar);
                if (finished is not null)
                {
                    group = finished;
                    return true;
                }
            }

            if (_symbol is not null)
            {
                group = FinishSymbol();
                _symbol = null;
                report.Symbols = _symbolsSeen.Count;
                return true;
            }

            report.Symbols = _symbolsSeen.Count;
            group = null!;
            return false;
        }

        private void ReadHeader(ReadOnlySpan<byte> line)
        {
            var names = Encoding.UTF8.GetString(line).Split(',', StringSplitOptions.TrimEntries);
            _fieldCount = names.Length;
            _columns = RequiredColumns
                .Select(required => Array.FindIndex(names, name => name.Equals(required, StringComparison.OrdinalIgnoreCase)))
                .ToArray();
            var missing = RequiredColumns.Where((_, i) => _columns[i] < 0).ToList();
            if (missing.Count > 0)
            {
                throw new InvalidDataException(
                    $"Not a daily bar file: the header lacks {string.Join(", ", missing)} (expected date,open,high,low,close,volume,Name).");
            }
        }

        private bool TryParseRow(ReadOnlySpan<byte> line, out ReadOnlySpan<byte> symbol, out DateOnly date, out Bar bar)
        {
            symbol = default;
            date = default;
            bar = default;

            Span<Range> fields = stackalloc Range[_fieldCount + 1];
            var count = 0;
            foreach (var range in line.Split((byte)','))
            {
                if (count == fields.Length)
                {
                    break;
                }

                fields[count++] = range;
            }

            var columns = _columns!;
            if (count != _fieldCount)
            {
                return Skip(DailyBarRowIssue.MalformedSkipped, count > columns[6] ? line[fields[columns[6]]] : default, default);
            }

            var dateField = line[fields[columns[0]]];
            symbol = line[fields[columns[6]]];
            var open = ParseDecimal(line[fields[columns[1]]], out var openValue);
            var high = ParseDecimal(line[fields[columns[2]]], out var highValue);
            var low = ParseDecimal(line[fields[columns[3]]], out var lowValue);
            var close = ParseDecimal(line[fields[columns[4]]], out var closeValue);
            var volume = ParseVolume(line[fields[columns[5]]], out var volumeValue);

            if (symbol.IsEmpty || !TryParseDate(dateField, out date)
                || open == Field.Invalid || high == Field.Invalid || low == Field.Invalid || close == Field.Invalid || volume == Field.Invalid)
            {
                return Skip(DailyBarRowIssue.MalformedSkipped, symbol, dateField);
            }

            if (close == Field.Empty)
            {
                return Skip(DailyBarRowIssue.MissingCloseSkipped, symbol, dateField);
            }

            if (closeValue <= 0m || (open == Field.Value && openValue <= 0m) || (high == Field.Value && highValue <= 0m)
                || (low == Field.Value && lowValue <= 0m) || volumeValue < 0)
            {
                return Skip(DailyBarRowIssue.NonPositiveSkipped, symbol, dateField);
            }

            if (open == Field.Empty)
            {
                openValue = closeValue;
                Note(DailyBarRowIssue.MissingOpenFilled, symbol, dateField);
            }

            if (high == Field.Empty || low == Field.Empty)
            {
                // Only the row's own prices are used: the range is at least the open-to-close move.
                highValue = high == Field.Empty ? Math.Max(openValue, closeValue) : highValue;
                lowValue = low == Field.Empty ? Math.Min(openValue, closeValue) : lowValue;
                Note(DailyBarRowIssue.MissingHighLowFilled, symbol, dateField);
            }

            if (highValue < Math.Max(openValue, closeValue) || lowValue > Math.Min(openValue, closeValue) || highValue < lowValue)
            {
                // Every reported price is kept; the range is widened until it contains all of them.
                (highValue, lowValue) = (Math.Max(Math.Max(highValue, lowValue), Math.Max(openValue, closeValue)),
                                         Math.Min(Math.Min(highValue, lowValue), Math.Min(openValue, closeValue)));
                Note(DailyBarRowIssue.ContradictoryOhlcRepaired, symbol, dateField);
            }

            if (volumeValue == 0)
            {
                Note(DailyBarRowIssue.ZeroVolumeKept, symbol, dateField);
            }

            bar = new Bar(Midnight(date), openValue, highValue, lowValue, closeValue, volumeValue);
            return true;
        }

        private void StartSymbol(ReadOnlySpan<byte> symbol)
        {
            _symbol = Encoding.UTF8.GetString(symbol);
            _symbolBytes = symbol.ToArray();
            _bars = new List<Bar>(capacity: Math.Max(16, _bars.Count));
            _unordered = false;
            if (!_symbolsSeen.Add(_symbol))
            {
                report.Record(_line, DailyBarRowIssue.OutOfOrderSorted, _symbol, string.Empty);
            }
        }

        private void Append(DateOnly date, Bar bar)
        {
            if (_bars.Count > 0 && date.DayNumber <= _lastDayNumber)
            {
                if (date.DayNumber == _lastDayNumber)
                {
                    report.Record(_line, DailyBarRowIssue.DuplicateDateSkipped, _symbol!, date.ToString("yyyy-MM-dd", null));
                    return;
                }

                _unordered = true;
                report.Record(_line, DailyBarRowIssue.OutOfOrderSorted, _symbol!, date.ToString("yyyy-MM-dd", null));
            }
            else
            {
                _lastDayNumber = date.DayNumber;
            }

            _bars.Add(bar);
        }

        private SymbolBars FinishSymbol()
        {
            var bars = _unordered
                ? InDateOrder(_symbol!, _bars, report)
                : ImmutableCollectionsMarshal.AsImmutableArray(_bars.ToArray());
            report.BarsLoaded += bars.Length;
            return new SymbolBars(_symbol!, bars);
        }

        private DateTimeOffset Midnight(DateOnly date)
        {
            ref var midnight = ref CollectionsMarshal.GetValueRefOrAddDefault(_midnights, date.DayNumber, out var exists);
            if (!exists)
            {
                midnight = NewYorkTime.StartOfDay(date);
            }

            return midnight;
        }

        private bool Skip(DailyBarRowIssue issue, ReadOnlySpan<byte> symbol, ReadOnlySpan<byte> date)
        {
            Note(issue, symbol, date);
            return false;
        }

        private void Note(DailyBarRowIssue issue, ReadOnlySpan<byte> symbol, ReadOnlySpan<byte> date) =>
            report.Record(_line, issue, Encoding.UTF8.GetString(symbol), Encoding.UTF8.GetString(date));

        private bool TryReadLine(out ReadOnlySpan<byte> line)
        {
            while (true)
            {
                var pending = _buffer.AsSpan(_start, _end - _start);
                var newline = pending.IndexOf((byte)'\n');
                if (newline >= 0 || (_endOfStream && !pending.IsEmpty))
                {
                    var length = newline >= 0 ? newline : pending.Length;
                    line = pending[..length].TrimEnd((byte)'\r');
                    _start += newline >= 0 ? length + 1 : length;
                    _line++;
                    return true;
                }

                if (_endOfStream)
                {
                    line = default;
                    return false;
                }

                if (_start > 0)
                {
                    pending.CopyTo(_buffer);
                    _end = pending.Length;
                    _start = 0;
                }

                if (_end == _buffer.Length)
                {
                    Array.Resize(ref _buffer, _buffer.Length * 2);
                }

                var read = stream.Read(_buffer, _end, _buffer.Length - _end);
                _endOfStream = read == 0;
                _end += read;
            }
        }

        private static bool TryParseDate(ReadOnlySpan<byte> text, out DateOnly date)
        {
            date = default;
            if (text.Length != 10 || text[4] != '-' || text[7] != '-'
                || !TryParseDigits(text[..4], out var year) || !TryParseDigits(text[5..7], out var month)
                || !TryParseDigits(text[8..], out var day)
                || year < 1 || month is < 1 or > 12 || day < 1 || day > DateTime.DaysInMonth(year, month))
            {
                return false;
            }

            date = new DateOnly(year, month, day);
            return true;
        }

        private static bool TryParseDigits(ReadOnlySpan<byte> text, out int value)
        {
            value = 0;
            foreach (var digit in text)
            {
                if (digit is < (byte)'0' or > (byte)'9')
                {
                    return false;
                }

                value = (value * 10) + (digit - '0');
            }

            return true;
        }

        private static Field ParseDecimal(ReadOnlySpan<byte> text, out decimal value)
        {
            value = 0m;
            text = text.Trim((byte)' ');
            if (text.IsEmpty)
            {
                return Field.Empty;
            }

            return Utf8Parser.TryParse(text, out value, out var consumed) && consumed == text.Length ? Field.Value : Field.Invalid;
        }

        private static Field ParseVolume(ReadOnlySpan<byte> text, out long value)
        {
            value = 0;
            text = text.Trim((byte)' ');
            if (text.IsEmpty)
            {
                return Field.Empty;
            }

            if (Utf8Parser.TryParse(text, out value, out var consumed) && consumed == text.Length)
            {
                return Field.Value;
            }

            // Some exports write volumes as "1234.0".
            if (ParseDecimal(text, out var asDecimal) == Field.Value && asDecimal == decimal.Truncate(asDecimal) && Math.Abs(asDecimal) <= long.MaxValue)
            {
                value = (long)asDecimal;
                return Field.Value;
            }

            return Field.Invalid;
        }

        private enum Field
        {
            Empty,
            Value,
            Invalid,
        }
    }
}
