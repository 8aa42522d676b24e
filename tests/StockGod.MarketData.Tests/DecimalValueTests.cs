using StockGod.MarketData.V1;

namespace StockGod.MarketData.Tests;

public sealed class DecimalValueTests
{
    [Theory]
    [InlineData("0")]
    [InlineData("187.43")]
    [InlineData("0.000000001")]
    [InlineData("-0.000000001")]
    [InlineData("-1.5")]
    [InlineData("-187.43")]
    [InlineData("123456789012.123456789")]
    [InlineData("-9223372036854775807.999999999")]
    public void Round_trips_exactly(string text)
    {
        var value = decimal.Parse(text, System.Globalization.CultureInfo.InvariantCulture);

        DecimalValue wire = value;

        Assert.Equal(value, (decimal)wire);
    }

    [Fact]
    public void Negative_values_carry_the_sign_in_both_parts()
    {
        DecimalValue wire = -1.5m;

        Assert.Equal(-1, wire.Units);
        Assert.Equal(-500_000_000, wire.Nanos);
    }

    [Fact]
    public void Digits_beyond_nanos_are_rounded_half_to_even()
    {
        Assert.Equal(0.000000002m, (decimal)DecimalValue.FromDecimal(0.0000000015m));
        Assert.Equal(-0.000000002m, (decimal)DecimalValue.FromDecimal(-0.0000000025m));
    }

    [Fact]
    public void Values_beyond_64_bit_units_are_refused()
    {
        Assert.Throws<OverflowException>(() => DecimalValue.FromDecimal(decimal.MaxValue));
    }

    [Fact]
    public void Survives_protobuf_serialization()
    {
        DecimalValue wire = -42.123456789m;

        var parsed = DecimalValue.Parser.ParseFrom(Google.Protobuf.MessageExtensions.ToByteArray(wire));

        Assert.Equal(-42.123456789m, (decimal)parsed);
    }
}
