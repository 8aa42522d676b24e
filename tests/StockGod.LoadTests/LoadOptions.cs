using System.Globalization;

namespace StockGod.LoadTests;

/// <param name="Duration">How long each scenario is measured.</param>
/// <param name="Warmup">How long each scenario runs unmeasured first (JIT, connection pools, caches).</param>
/// <param name="Concurrency">Callers driving each scenario at once, each waiting for its answer before the next request.</param>
/// <param name="OutputPath">Also write the markdown report there.</param>
/// <param name="WithScheduler">Run the Scheduler too (its jobs run beside the load, as in production).</param>
/// <param name="Positions">Positions of each caller's portfolio, bought through the Api before the load.</param>
public sealed record LoadOptions(TimeSpan Duration, TimeSpan Warmup, int Concurrency, string? OutputPath, bool WithScheduler, int Positions)
{
    public static LoadOptions Default { get; } = new(TimeSpan.FromSeconds(60), TimeSpan.FromSeconds(5), 16, null, WithScheduler: true, Positions: 10);

    public const string Usage = """
        Usage: StockGod.LoadTests [--duration 60s] [--warmup 5s] [--concurrency 16] [--positions 10] [--output report.md] [--no-scheduler]
          --duration      measured time per scenario (e.g. 60, 60s, 3s, 2m); default 60s
          --warmup        unmeasured time per scenario before it; default 5s
          --concurrency   concurrent callers per scenario; default 16
          --positions     positions of each caller's portfolio (1 to 50), bought before the load; default 10
          --output        also write the markdown report to this file
          --no-scheduler  do not run the Scheduler beside the Api and MarketData
        """;

    /// <exception cref="ArgumentException">An unknown argument or a bad value; the message says which.</exception>
    public static LoadOptions Parse(IReadOnlyList<string> args)
    {
        var options = Default;
        for (var i = 0; i < args.Count; i++)
        {
            var name = args[i];
            string Value() => i + 1 < args.Count ? args[++i] : throw new ArgumentException($"{name} needs a value.");
            options = name switch
            {
                "--duration" => options with { Duration = ParseDuration(name, Value()) },
                "--warmup" => options with { Warmup = ParseDuration(name, Value(), allowZero: true) },
                "--concurrency" => options with { Concurrency = int.TryParse(Value(), NumberStyles.None, CultureInfo.InvariantCulture, out var n) && n is >= 1 and <= 1024 ? n : throw new ArgumentException("--concurrency must be 1 to 1024.") },
                "--positions" => options with { Positions = int.TryParse(Value(), NumberStyles.None, CultureInfo.InvariantCulture, out var p) && p is >= 1 and <= 50 ? p : throw new ArgumentException("--positions must be 1 to 50.") },
                "--output" => options with { OutputPath = Value() },
                "--no-scheduler" => options with { WithScheduler = false },
                _ => throw new ArgumentException($"Unknown argument '{name}'."),
            };
        }

        return options;
    }

    /// <summary>Seconds (<c>60</c>, <c>60s</c>), milliseconds (<c>500ms</c>) or minutes (<c>2m</c>).</summary>
    public static TimeSpan ParseDuration(string name, string text, bool allowZero = false)
    {
        var (number, unit) = text.EndsWith("ms", StringComparison.Ordinal) ? (text[..^2], 0.001)
            : text.EndsWith('s') ? (text[..^1], 1.0)
            : text.EndsWith('m') ? (text[..^1], 60.0)
            : (text, 1.0);
        if (!double.TryParse(number, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var value)
            || (value == 0 && !allowZero) || value * unit > TimeSpan.FromHours(1).TotalSeconds)
        {
            throw new ArgumentException($"{name} must be a duration such as 60s, 500ms or 2m, at most an hour: '{text}'.");
        }

        return TimeSpan.FromSeconds(value * unit);
    }
}
