using System.Globalization;

namespace StockGod.Trading.Screening;

/// <summary>A symbol to screen and its sector (GICS where known, "Unknown" otherwise).</summary>
public sealed record UniverseMember(string Symbol, string Sector)
{
    public const string UnknownSector = "Unknown";
}

/// <summary>A fundamentals snapshot of one symbol; any value may be missing.</summary>
public sealed record Fundamentals(string Symbol, string? Sector, decimal? PriceEarnings, decimal? EarningsPerShare, decimal? DividendYield, decimal? PriceBook);

/// <summary>
/// Reads the universe and fundamentals files of <c>shared/data</c> (headers found by name, quoted fields allowed,
/// empty or unparsable numbers read as missing).
/// </summary>
public static class ScreeningData
{
    public const string ConstituentsFile = "sp500-constituents.csv";
    public const string FinancialsFile = "sp500-financials-2017-03.csv";

    /// <summary>The S&amp;P 500 constituents (<c>Symbol</c>, <c>GICS Sector</c>), in file order.</summary>
    public static IReadOnlyList<UniverseMember> ReadConstituents(string path)
    {
        var rows = ReadRows(path, out var header);
        var symbol = Column(header, "Symbol", path);
        var sector = Column(header, "GICS Sector", path);
        return [.. rows.Where(r => r.Length > symbol && r[symbol].Length > 0)
            .Select(r => new UniverseMember(r[symbol], sector < r.Length && r[sector].Length > 0 ? r[sector] : UniverseMember.UnknownSector))];
    }

    /// <summary>The fundamentals snapshot, by symbol.</summary>
    public static IReadOnlyDictionary<string, Fundamentals> ReadFinancials(string path)
    {
        var rows = ReadRows(path, out var header);
        var symbol = Column(header, "Symbol", path);
        var sector = Array.IndexOf(header, "Sector");
        var pe = Array.IndexOf(header, "Price/Earnings");
        var eps = Array.IndexOf(header, "Earnings/Share");
        var dividend = Array.IndexOf(header, "Dividend Yield");
        var pb = Array.IndexOf(header, "Price/Book");
        var result = new Dictionary<string, Fundamentals>(StringComparer.Ordinal);
        foreach (var row in rows)
        {
            if (row.Length > symbol && row[symbol].Length > 0)
            {
                result.TryAdd(row[symbol], new Fundamentals(
                    row[symbol],
                    sector >= 0 && sector < row.Length && row[sector].Length > 0 ? row[sector] : null,
                    Number(row, pe), Number(row, eps), Number(row, dividend), Number(row, pb)));
            }
        }

        return result;
    }

    private static decimal? Number(string[] row, int column) =>
        column >= 0 && column < row.Length && decimal.TryParse(row[column], NumberStyles.Float, CultureInfo.InvariantCulture, out var value) ? value : null;

    private static int Column(string[] header, string name, string path)
    {
        var index = Array.IndexOf(header, name);
        return index >= 0 ? index : throw new InvalidDataException($"'{path}' has no '{name}' column.");
    }

    private static List<string[]> ReadRows(string path, out string[] header)
    {
        using var reader = new StreamReader(path);
        header = reader.ReadLine() is { } first ? SplitCsvLine(first) : throw new InvalidDataException($"'{path}' is empty.");
        var rows = new List<string[]>();
        while (reader.ReadLine() is { } line)
        {
            if (line.Length > 0)
            {
                rows.Add(SplitCsvLine(line));
            }
        }

        return rows;
    }

    /// <summary>Splits one CSV line; a quoted field may hold commas and doubled quotes.</summary>
    internal static string[] SplitCsvLine(string line)
    {
        var fields = new List<string>();
        var field = new System.Text.StringBuilder();
        var quoted = false;
        for (var i = 0; i < line.Length; i++)
        {
            var c = line[i];
            if (quoted)
            {
                if (c == '"' && i + 1 < line.Length && line[i + 1] == '"')
                {
                    field.Append('"');
                    i++;
                }
                else if (c == '"')
                {
                    quoted = false;
                }
                else
                {
                    field.Append(c);
                }
            }
            else if (c == '"')
            {
                quoted = true;
            }
            else if (c == ',')
            {
                fields.Add(field.ToString().Trim());
                field.Clear();
            }
            else
            {
                field.Append(c);
            }
        }

        fields.Add(field.ToString().Trim());
        return [.. fields];
    }
}
