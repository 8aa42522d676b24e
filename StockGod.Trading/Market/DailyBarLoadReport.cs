namespace StockGod.Trading.Market;

/// <summary>What was wrong with a row of a daily bar file and what the reader did about it.</summary>
public enum DailyBarRowIssue
{
    /// <summary>Skipped: wrong number of fields, unreadable date, empty symbol, or an unparsable number.</summary>
    MalformedSkipped,

    /// <summary>Skipped: no close, the one price every consumer needs.</summary>
    MissingCloseSkipped,

    /// <summary>Skipped: a price at or below zero, or a negative volume.</summary>
    NonPositiveSkipped,

    /// <summary>Skipped: a second row for a symbol and date already read (the first one wins).</summary>
    DuplicateDateSkipped,

    /// <summary>Repaired: an empty open was set to the close, which invents no intraday move.</summary>
    MissingOpenFilled,

    /// <summary>Repaired: an empty high or low was set from the other prices of the row.</summary>
    MissingHighLowFilled,

    /// <summary>Repaired: the high and low were widened (or swapped) so that low ≤ open, close ≤ high.</summary>
    ContradictoryOhlcRepaired,

    /// <summary>Kept as it is: a day with volume 0 (a halt or a data gap); counted so callers can tell.</summary>
    ZeroVolumeKept,

    /// <summary>Repaired: rows of one symbol were not in date order (or not contiguous) and were sorted.</summary>
    OutOfOrderSorted,
}

/// <summary>One row that needed attention, for logs: its 1-based line number, symbol and date text.</summary>
public readonly record struct DailyBarRowNote(long Line, DailyBarRowIssue Issue, string Symbol, string Date);

/// <summary>Counts of what a load read, kept and fixed; a load never fails on a bad row, it reports it here.</summary>
public sealed class DailyBarLoadReport
{
    private const int MaxNotes = 100;

    private readonly long[] _issueCounts = new long[Enum.GetValues<DailyBarRowIssue>().Length];
    private readonly List<DailyBarRowNote> _notes = [];

    /// <summary>Data rows read (the header excluded).</summary>
    public long RowsRead { get; internal set; }

    public long BarsLoaded { get; internal set; }

    public int Symbols { get; internal set; }

    /// <summary>The first rows that had an issue, in file order (at most 100).</summary>
    public IReadOnlyList<DailyBarRowNote> Notes => _notes;

    public long Count(DailyBarRowIssue issue) => _issueCounts[(int)issue];

    public long RowsSkipped =>
        Count(DailyBarRowIssue.MalformedSkipped) + Count(DailyBarRowIssue.MissingCloseSkipped)
        + Count(DailyBarRowIssue.NonPositiveSkipped) + Count(DailyBarRowIssue.DuplicateDateSkipped);

    internal void Record(long line, DailyBarRowIssue issue, string symbol, string date)
    {
        _issueCounts[(int)issue]++;
        if (_notes.Count < MaxNotes)
        {
            _notes.Add(new DailyBarRowNote(line, issue, symbol, date));
        }
    }

    public override string ToString() =>
        $"{RowsRead} rows, {BarsLoaded} bars, {Symbols} symbols; "
        + string.Join(", ", Enum.GetValues<DailyBarRowIssue>().Where(i => Count(i) > 0).Select(i => $"{i}={Count(i)}"));
}
