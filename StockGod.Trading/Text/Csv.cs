namespace StockGod.Trading.Text;

/// <summary>RFC 4180 fields, shared by every CSV the platform writes (screening reports, exports).</summary>
public static class Csv
{
    public const string LineBreak = "\r\n";

    /// <summary>The value as one field: quoted (inner quotes doubled) when it holds a comma, quote or line break.</summary>
    public static string Field(string? value) =>
        value is null ? string.Empty
        : value.AsSpan().IndexOfAny(",\"\r\n") >= 0 ? $"\"{value.Replace("\"", "\"\"", StringComparison.Ordinal)}\""
        : value;
}
