using System.Globalization;
using StockGod.Api.Infrastructure;

namespace StockGod.Api.Exports;

/// <summary>A column of a CSV export: its header and how a row's value is written.</summary>
public sealed record CsvColumn<T>(string Header, Func<T, string?> Value);

/// <summary>RFC 4180 fields: decimals as the JSON writes them, ISO 8601 UTC times, quoted when a value holds a comma, quote or line break.</summary>
public static class CsvFormat
{
    public const string LineBreak = "\r\n";

    public static string Field(string? value) =>
        value is null ? string.Empty
        : value.AsSpan().IndexOfAny(",\"\r\n") >= 0 ? $"\"{value.Replace("\"", "\"\"", StringComparison.Ordinal)}\""
        : value;

    public static string Of(decimal value) => DecimalStringJsonConverter.Format(value);

    public static string? Of(decimal? value) => value is { } number ? DecimalStringJsonConverter.Format(number) : null;

    public static string Of(DateTimeOffset value) => value.UtcDateTime.ToString("O", CultureInfo.InvariantCulture);

    public static string Of(Guid value) => value.ToString();
}
