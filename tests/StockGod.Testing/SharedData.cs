using StockGod.Trading.Market;

namespace StockGod.Testing;

/// <summary>
/// Finds the real market data that lives beside the repository (<c>../shared/data</c>), never inside it: walks up
/// from the test binaries to the first folder holding <c>shared/data</c>.
/// </summary>
public static class SharedData
{
    public const string DailyBarsFile = "sp500-daily-2013-2018.csv.gz";

    private static readonly Lazy<string?> Folder = new(FindFolder);

    private static readonly Lazy<DailyBarHistory> DailyBarHistory = new(() => DailyBarCsvReader.ReadFile(RequirePath(DailyBarsFile)));

    /// <summary>The data folder, or null on a machine without it.</summary>
    public static string? Directory => Folder.Value;

    /// <summary>The full path of a data file, or null when the data folder or the file is absent.</summary>
    public static string? PathOf(string fileName) =>
        Directory is { } directory && File.Exists(Path.Combine(directory, fileName)) ? Path.Combine(directory, fileName) : null;

    /// <summary>The real S&amp;P 500 daily file, read once per test process (skips the test when it is absent).</summary>
    public static DailyBarHistory DailyBars => DailyBarHistory.Value;

    /// <summary>The path of a data file; skips the current test with a clear message when it is absent.</summary>
    public static string RequirePath(string fileName) =>
        PathOf(fileName) ?? throw new InvalidOperationException(
            Xunit.v3.DynamicSkipToken.Value + $"Real data '{fileName}' not found: expected a 'shared/data' folder above {AppContext.BaseDirectory}.");

    private static string? FindFolder()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            var candidate = Path.Combine(directory.FullName, "shared", "data");
            if (System.IO.Directory.Exists(candidate))
            {
                return candidate;
            }
        }

        return null;
    }
}
