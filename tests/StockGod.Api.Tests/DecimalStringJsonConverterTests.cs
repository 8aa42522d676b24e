using System.Text.Json;
using StockGod.Api.Infrastructure;

namespace StockGod.Api.Tests;

/// <summary>Decimals written to JSON (straight to UTF-8) read the same as their canonical text everywhere else (CSV).</summary>
public sealed class DecimalStringJsonConverterTests
{
    private static readonly JsonSerializerOptions Options = new() { Converters = { new DecimalStringJsonConverter() } };

    [Theory]
    [InlineData("0", "0")]
    [InlineData("12.50", "12.5")]
    [InlineData("-0.0001000", "-0.0001")]
    [InlineData("100", "100")]
    [InlineData("79228162514264337593543950335", "79228162514264337593543950335")]
    [InlineData("-79228162514264337593543950335", "-79228162514264337593543950335")]
    [InlineData("0.0000000000000000000000000001", "0.0000000000000000000000000001")]
    [InlineData("-7.9228162514264337593543950335", "-7.9228162514264337593543950335")]
    public void A_decimal_is_written_as_its_canonical_string(string input, string expected)
    {
        var value = decimal.Parse(input, System.Globalization.CultureInfo.InvariantCulture);

        Assert.Equal($"\"{expected}\"", JsonSerializer.Serialize(value, Options));
        Assert.Equal(expected, DecimalStringJsonConverter.Format(value));
        Assert.Equal(value, JsonSerializer.Deserialize<decimal>($"\"{expected}\"", Options));
    }
}
