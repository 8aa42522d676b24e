using System.Text.Json;

namespace StockGod.Api.Infrastructure;

/// <summary>An enum value as clients read it in JSON ("partially_filled", "percent_change"), for messages.</summary>
public static class WireNames
{
    public static string Of<TEnum>(TEnum value) where TEnum : struct, Enum => JsonSerializer.Serialize(value).Trim('"');
}
