using System.Globalization;
using StockGod.Api.Infrastructure;
using StockGod.Trading.Text;

namespace StockGod.Api.Exports;

/// <summary>A column of a CSV export: its header and how a row's value is written.</summary>
public sealed record CsvColumn<T>(string Header, Func<T, string?> Value);

/// <summary>CSV values: decimals as the JSON writes them, ISO 8601 UTC times (quoting is <see cref="Csv.Field"/>).</summary>
public static class CsvFormat
{
    public static string Of(decimal value) => DecimalStringJsonConverter.Format(value);

    public static string? Of(decimal? value) => value is { } number ? DecimalStringJsonConverter.Format(number) : null;

    public static string Of(DateTimeOffset value) => value.UtcDateTime.ToString("O", CultureInfo.InvariantCulture);

    public static string Of(Guid value) => value.ToString();
}
