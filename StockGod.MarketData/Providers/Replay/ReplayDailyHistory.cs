using System.Collections.Immutable;
using Microsoft.Extensions.Options;
using StockGod.MarketData.Providers.Simulation;

namespace StockGod.MarketData.Providers.Replay;

/// <summary>
/// Real daily bars replayed on today's calendar. The date rule: the data's first date D₀ is also the first real
/// session of the replay, and the n-th NYSE session after D₀ (counted by <see cref="IMarketCalendar"/>) shows the
/// data's day n mod N, where N is the number of distinct dates in the file. The replay therefore loops (every
/// N sessions, about five years for the S&amp;P 500 file) and prices jump where it wraps. Bars keep their real
/// prices and volumes and are stamped with the real session's date. Sessions before D₀ have no bars.
/// </summary>
public sealed partial class ReplayDailyHistory : IDailyHistory
{
    private readonly IMarketCalendar _calendar;
    private readonly Dictionary<string, ImmutableArray<Bar>> _bars;
    private readonly DateOnly[] _dataDates;
    private readonly List<DateOnly> _realSessions = [];

    public ReplayDailyHistory(IOptions<ReplayOptions> options, IMarketCalendar calendar, IHostEnvironment environment, ILogger<ReplayDailyHistory> logger)
    {
        _calendar = calendar;
        var path = Resolve(options.Value.Path, environment.ContentRootPath);
        var history = DailyBarCsvReader.ReadFile(path);
        _bars = history.BarsBySymbol.ToDictionary(p => p.Key, p => p.Value, StringComparer.Ordinal);
        _dataDates = [.. _bars.Values.SelectMany(bars => bars.Select(b => NewYorkTime.DateOf(b.Timestamp))).Distinct().Order()];
        if (_dataDates.Length == 0)
        {
            throw new InvalidOperationException($"The replay file {path} holds no bars.");
        }

        LogLoaded(logger, path, _bars.Count, _dataDates.Length, _dataDates[0], _dataDates[^1], history.Report.ToString());
    }

    public string Name => "replay";

    public string Market => "replay";

    /// <summary>The first real session of the replay: the data's first date.</summary>
    public DateOnly FirstDate => _dataDates[0];

    public int DataDays => _dataDates.Length;

    public IReadOnlyCollection<string> Symbols => _bars.Keys;

    public bool Contains(string symbol) => _bars.ContainsKey(symbol);

    /// <summary>The data date a real session replays, or null before the replay starts.</summary>
    public DateOnly? DataDateFor(DateOnly session)
    {
        if (session < _dataDates[0])
        {
            return null;
        }

        lock (_realSessions)
        {
            if (_realSessions.Count == 0 || _realSessions[^1] < session)
            {
                var from = _realSessions.Count == 0 ? _dataDates[0] : _realSessions[^1].AddDays(1);
                _realSessions.AddRange(_calendar.TradingDays(from, session.AddDays(366)).Select(s => s.Date));
            }

            var index = _realSessions.BinarySearch(session);
            return index >= 0 ? _dataDates[index % _dataDates.Length] : null;
        }
    }

    public Bar? DailyBar(string symbol, MarketSession session)
    {
        if (!_bars.TryGetValue(symbol, out var bars) || DataDateFor(session.Date) is not { } dataDate)
        {
            return null;
        }

        var stamp = NewYorkTime.StartOfDay(dataDate);
        var low = 0;
        var high = bars.Length - 1;
        while (low <= high)
        {
            var middle = (low + high) / 2;
            var comparison = bars[middle].Timestamp.CompareTo(stamp);
            if (comparison == 0)
            {
                return bars[middle] with { Timestamp = NewYorkTime.StartOfDay(session.Date) };
            }

            (low, high) = comparison < 0 ? (middle + 1, high) : (low, middle - 1);
        }

        return null;
    }

    private static string Resolve(string path, string contentRoot)
    {
        if (Path.IsPathRooted(path))
        {
            return File.Exists(path) ? path : throw Missing(path);
        }

        for (var folder = new DirectoryInfo(contentRoot); folder is not null; folder = folder.Parent)
        {
            var candidate = Path.GetFullPath(Path.Combine(folder.FullName, path));
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        throw Missing(path);
    }

    private static FileNotFoundException Missing(string path) => new(
        $"MarketData:Replay:Path '{path}' was not found (relative paths are looked for under the content root and its parents).", path);

    [LoggerMessage(LogLevel.Information, "Replay loaded {Path}: {Symbols} symbols over {Days} days ({First} to {Last}); load report: {Report}")]
    private static partial void LogLoaded(ILogger logger, string path, int symbols, int days, DateOnly first, DateOnly last, string report);
}
