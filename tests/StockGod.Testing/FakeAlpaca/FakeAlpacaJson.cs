using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace StockGod.Testing.FakeAlpaca;

// The fake writes its JSON with its own small converters rather than the gateway's, so a mistake in the code under
// test cannot be mirrored by the double that checks it.

internal static class FakeAlpacaJson
{
    /// <summary>Trading API: snake_case, nulls written out, decimals as normalised strings, nanosecond timestamps.</summary>
    public static readonly JsonSerializerOptions Trading = new(JsonSerializerDefaults.Web)
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        Converters = { new StringDecimalConverter(), new NanosecondTimestampConverter() },
    };

    /// <summary>Market Data API: short keys given per property, prices as JSON numbers, nanosecond timestamps.</summary>
    public static readonly JsonSerializerOptions MarketData = new(JsonSerializerDefaults.Web)
    {
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        Converters = { new NanosecondTimestampConverter() },
    };

    /// <summary>Alpaca echoes prices normalised: "150" for "150.00".</summary>
    public static string Format(decimal value) =>
        value.ToString("0.#########################", CultureInfo.InvariantCulture);

    /// <summary>Reads decimals sent as strings or as numbers (the official SDKs send numbers).</summary>
    public static decimal? ReadDecimal(JsonElement body, string name) =>
        !body.TryGetProperty(name, out var value) ? null : value.ValueKind switch
        {
            JsonValueKind.Number => value.GetDecimal(),
            JsonValueKind.String when decimal.TryParse(value.GetString(), NumberStyles.Float, CultureInfo.InvariantCulture, out var parsed) => parsed,
            JsonValueKind.Null => null,
            _ => throw new FormatException($"{name} is not a number"),
        };

    public static string? ReadString(JsonElement body, string name) =>
        body.TryGetProperty(name, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private sealed class StringDecimalConverter : JsonConverter<decimal>
    {
        public override decimal Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
            reader.TokenType == JsonTokenType.String
                ? decimal.Parse(reader.GetString()!, NumberStyles.Float, CultureInfo.InvariantCulture)
                : reader.GetDecimal();

        public override void Write(Utf8JsonWriter writer, decimal value, JsonSerializerOptions options) =>
            writer.WriteStringValue(Format(value));
    }

    /// <summary>Alpaca's timestamps carry nine fractional digits (.NET keeps seven, so the last two are zero); whole seconds, as bar times, none.</summary>
    private sealed class NanosecondTimestampConverter : JsonConverter<DateTimeOffset>
    {
        public override DateTimeOffset Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
            DateTimeOffset.Parse(reader.GetString()!, CultureInfo.InvariantCulture);

        public override void Write(Utf8JsonWriter writer, DateTimeOffset value, JsonSerializerOptions options) =>
            writer.WriteStringValue(value.UtcDateTime.ToString(
                value.Ticks % TimeSpan.TicksPerSecond == 0 ? "yyyy-MM-dd'T'HH:mm:ss'Z'" : "yyyy-MM-dd'T'HH:mm:ss.fffffff'00Z'",
                CultureInfo.InvariantCulture));
    }
}
