using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace StockGod.Trading.Brokerage.Alpaca;

/// <summary>
/// Alpaca's Trading API JSON: snake_case names, decimals as strings (both ways, to keep full precision), RFC 3339
/// timestamps with up to 9 fractional digits (System.Text.Json reads them, truncating to 100 ns).
/// </summary>
internal static class AlpacaJson
{
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.Web)
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        Converters = { new AlpacaDecimalConverter() },
    };
}

/// <summary>
/// Writes decimals as invariant strings ("412.50") and reads strings or numbers, never through double.
/// </summary>
internal sealed class AlpacaDecimalConverter : JsonConverter<decimal>
{
    public override decimal Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType == JsonTokenType.Number)
        {
            return reader.GetDecimal();
        }

        if (reader.TokenType != JsonTokenType.String)
        {
            throw new JsonException($"Expected a decimal as a string or number, found {reader.TokenType}.");
        }

        var text = reader.GetString();
        return decimal.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value)
            ? value
            : throw new JsonException($"'{text}' is not a decimal number.");
    }

    public override void Write(Utf8JsonWriter writer, decimal value, JsonSerializerOptions options) =>
        writer.WriteStringValue(value.ToString(CultureInfo.InvariantCulture));
}
