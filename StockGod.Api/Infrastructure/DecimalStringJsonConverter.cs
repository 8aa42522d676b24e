using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;

namespace StockGod.Api.Infrastructure;

/// <summary>
/// Money and quantities travel as decimal strings ("12.50"), as Alpaca sends them, so no client parses them into a
/// binary floating point number by accident. Written in canonical form (no trailing zeros, so a value reads the same
/// whatever scale its database column has). Reading also accepts a plain JSON number; exponents are refused.
/// </summary>
public sealed class DecimalStringJsonConverter : JsonConverter<decimal>
{
    /// <summary>The format documented in the OpenAPI document.</summary>
    public const string Pattern = @"^-?[0-9]+(\.[0-9]+)?$";

    private const NumberStyles Style = NumberStyles.AllowLeadingSign | NumberStyles.AllowDecimalPoint;

    public override decimal Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType == JsonTokenType.Number && reader.TryGetDecimal(out var number))
        {
            return number;
        }

        if (reader.TokenType == JsonTokenType.String
            && decimal.TryParse(reader.GetString(), Style, CultureInfo.InvariantCulture, out var parsed))
        {
            return parsed;
        }

        throw new JsonException("Expected a decimal number as a string, e.g. \"12.50\".");
    }

    public override void Write(Utf8JsonWriter writer, decimal value, JsonSerializerOptions options)
    {
        // Formatted straight to UTF-8 on the stack: no string per value (a portfolio answer writes ~150 of them).
        // 64 bytes hold any decimal: at most 29 digits, a sign and a point.
        Span<byte> utf8 = stackalloc byte[64];
        if (value.TryFormat(utf8, out var written, CanonicalFormat, CultureInfo.InvariantCulture))
        {
            writer.WriteStringValue(utf8[..written]);
        }
        else
        {
            writer.WriteStringValue(Format(value));
        }
    }

    /// <summary>The canonical text of a decimal, also used where decimals leave as text other than JSON (CSV).</summary>
    public static string Format(decimal value) => value.ToString(CanonicalFormat, CultureInfo.InvariantCulture);

    private const string CanonicalFormat = "0.############################";
}
