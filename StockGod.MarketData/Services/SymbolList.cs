using System.Text.RegularExpressions;
using Google.Protobuf.Collections;
using Grpc.Core;

namespace StockGod.MarketData.Services;

/// <summary>Validation of the symbols of a request: 1 to 1,000 well-formed tickers, upper-cased, duplicates removed.</summary>
internal static partial class SymbolList
{
    public const int MaxSymbols = 1_000;

    /// <summary>A ticker: letters and digits, optionally a class suffix after a dot, slash or hyphen (BRK.B, BF-B).</summary>
    [GeneratedRegex("^[A-Z][A-Z0-9]{0,9}([./-][A-Z0-9]{1,5})?$", RegexOptions.CultureInvariant)]
    private static partial Regex Ticker();

    /// <summary>The normalised symbols, in request order; entries may be comma-separated lists (for JSON transcoding).</summary>
    public static IReadOnlyList<string> Parse(RepeatedField<string> requested)
    {
        // Sized for the usual one symbol per entry: no regrowth on the hot path.
        var symbols = new List<string>(requested.Count);
        var seen = new HashSet<string>(requested.Count, StringComparer.Ordinal);
        List<string>? malformed = null;
        foreach (var entry in requested)
        {
            // gRPC callers send one symbol per entry: no split, and no copy when it is already trimmed and upper case.
            if (!entry.Contains(','))
            {
                Add(entry.Trim());
                continue;
            }

            foreach (var part in entry.Split(',', StringSplitOptions.TrimEntries))
            {
                Add(part);
            }
        }

        if (malformed is not null)
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, $"Malformed symbols: {string.Join(", ", malformed.Take(20))}."));
        }

        if (symbols.Count == 0)
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, "symbols is empty: give 1 to 1000 symbols."));
        }

        if (symbols.Count > MaxSymbols)
        {
            throw new RpcException(new Status(StatusCode.InvalidArgument, $"{symbols.Count} symbols given; at most {MaxSymbols} are allowed."));
        }

        return symbols;

        void Add(string part)
        {
            var symbol = part.ToUpperInvariant();
            if (!Ticker().IsMatch(symbol))
            {
                (malformed ??= []).Add(part.Length == 0 ? "(empty)" : part);
            }
            else if (seen.Add(symbol))
            {
                symbols.Add(symbol);
            }
        }
    }

    /// <summary>The symbols the provider does not know; NOT_FOUND when it knows none of them.</summary>
    public static List<string> Unknown(IReadOnlyList<string> symbols, Func<string, bool> isKnown)
    {
        var unknown = symbols.Where(s => !isKnown(s)).ToList();
        ThrowIfNoneKnown(symbols, unknown);
        return unknown;
    }

    /// <summary>NOT_FOUND when every one of the symbols is unknown.</summary>
    public static void ThrowIfNoneKnown(IReadOnlyList<string> symbols, List<string> unknown)
    {
        if (unknown.Count == symbols.Count)
        {
            throw new RpcException(new Status(StatusCode.NotFound, $"Unknown symbols: {string.Join(", ", unknown.Take(50))}."));
        }
    }
}
