using Microsoft.Extensions.Options;
using Microsoft.VisualBasic.FileIO;

namespace StockGod.Api.Market;

/// <summary>The <c>Market:SymbolDirectory</c> section.</summary>
public sealed class SymbolDirectoryOptions
{
    public const string SectionName = "Market:SymbolDirectory";

    /// <summary>
    /// A constituents CSV with <c>Symbol</c>, <c>Security</c> (the company's name) and optionally <c>GICS Sector</c>
    /// columns, such as the S&amp;P 500 list in <c>shared/data</c>. Without it the directory is empty.
    /// </summary>
    public string? Path { get; set; }
}

public sealed record ListedSymbol(string Symbol, string Name, string? Sector);

/// <summary>
/// The symbols a person can look up by ticker or company name, read once from the configured file. Matches rank exact
/// ticker, ticker prefix, name prefix, name word prefix, then any part of the name.
/// </summary>
public sealed partial class SymbolDirectory(IOptions<SymbolDirectoryOptions> options, ILogger<SymbolDirectory> logger)
{
    private readonly Lazy<IReadOnlyList<ListedSymbol>> _symbols = new(() => Load(options.Value.Path, logger));

    public IReadOnlyList<ListedSymbol> Search(string query, int limit)
    {
        var q = query.Trim();
        return [.. _symbols.Value
            .Select(s => (Symbol: s, Rank: Rank(s, q)))
            .Where(m => m.Rank >= 0)
            .OrderBy(m => m.Rank)
            .ThenBy(m => m.Symbol.Symbol, StringComparer.Ordinal)
            .Take(limit)
            .Select(m => m.Symbol)];
    }

    private static int Rank(ListedSymbol listed, string q)
    {
        if (listed.Symbol.Equals(q, StringComparison.OrdinalIgnoreCase))
        {
            return 0;
        }

        if (listed.Symbol.StartsWith(q, StringComparison.OrdinalIgnoreCase))
        {
            return 1;
        }

        var at = listed.Name.IndexOf(q, StringComparison.OrdinalIgnoreCase);
        return at switch
        {
            < 0 => -1,
            0 => 2,
            _ when !char.IsLetterOrDigit(listed.Name[at - 1]) => 3,
            _ => 4,
        };
    }

    private static IReadOnlyList<ListedSymbol> Load(string? path, ILogger logger)
    {
        if (string.IsNullOrWhiteSpace(path))
        {
            LogNoDirectory(logger);
            return [];
        }

        using var parser = new TextFieldParser(path) { TextFieldType = FieldType.Delimited, HasFieldsEnclosedInQuotes = true, TrimWhiteSpace = true };
        parser.SetDelimiters(",");
        var header = parser.ReadFields() ?? throw new InvalidDataException($"'{path}' is empty.");
        var symbol = Column(header, "Symbol", path);
        var name = Column(header, "Security", path);
        var sector = Array.IndexOf(header, "GICS Sector");
        var symbols = new List<ListedSymbol>();
        while (parser.ReadFields() is { } row)
        {
            if (row.Length > Math.Max(symbol, name) && row[symbol].Length > 0)
            {
                symbols.Add(new ListedSymbol(row[symbol].ToUpperInvariant(), row[name], sector >= 0 && sector < row.Length && row[sector].Length > 0 ? row[sector] : null));
            }
        }

        return symbols;
    }

    private static int Column(string[] header, string name, string path)
    {
        var index = Array.IndexOf(header, name);
        return index >= 0 ? index : throw new InvalidDataException($"'{path}' has no '{name}' column.");
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "No symbol directory is configured (Market:SymbolDirectory:Path): symbol search finds nothing")]
    private static partial void LogNoDirectory(ILogger logger);
}
