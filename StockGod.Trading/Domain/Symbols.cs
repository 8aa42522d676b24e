namespace StockGod.Trading.Domain;

/// <summary>Ticker symbols as stored everywhere: trimmed upper case (BRK.B keeps its dot).</summary>
public static class Symbols
{
    public const int MaxLength = 16;

    public static string Normalize(string symbol)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(symbol);
        var normalized = symbol.Trim().ToUpperInvariant();
        if (normalized.Length > MaxLength || !normalized.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '-' or '/'))
        {
            throw new DomainException($"'{symbol}' is not a valid symbol.");
        }

        return normalized;
    }
}
