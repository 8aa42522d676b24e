using System.Text.Json;
using System.Text.Json.Serialization;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;

namespace StockGod.Trading.Screening;

/// <summary>
/// How screening values are stored (jsonb): factor and normalisation names as strings, decimals exactly as computed
/// (PostgreSQL keeps a jsonb number's digits), so a chunk result read back aggregates to the same report.
/// </summary>
public static class ScreeningJson
{
    public static JsonSerializerOptions Options { get; } = new(JsonSerializerDefaults.General)
    {
        Converters = { new JsonStringEnumConverter() },
    };

    internal static ValueConverter<T, string> Converter<T>()
        where T : class? => new(
            value => JsonSerializer.Serialize(value, Options),
            json => JsonSerializer.Deserialize<T>(json, Options)!);
}
