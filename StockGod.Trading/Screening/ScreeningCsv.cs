using System.Globalization;
using System.Text;
using StockGod.Trading.Text;

namespace StockGod.Trading.Screening;

/// <summary>
/// A ranking as CSV (RFC 4180): rank, symbol, sector, score, then each factor's raw value and contribution
/// (<c>momentum12Months</c>, <c>momentum12Months_contribution</c>, ...). A missing raw value is an empty field.
/// Numbers use the invariant culture.
/// </summary>
public static class ScreeningCsv
{
    public static string Write(IReadOnlyList<RankedSymbol> ranking)
    {
        ArgumentNullException.ThrowIfNull(ranking);
        var csv = new StringBuilder("rank,symbol,sector,score");
        foreach (var factor in ScreeningFactors.All)
        {
            var name = JsonNamingPolicyName(factor);
            csv.Append(',').Append(name).Append(',').Append(name).Append("_contribution");
        }

        csv.Append(Csv.LineBreak);
        foreach (var row in ranking)
        {
            csv.Append(row.Rank.ToString(CultureInfo.InvariantCulture)).Append(',')
                .Append(Csv.Field(row.Symbol)).Append(',')
                .Append(Csv.Field(row.Sector)).Append(',')
                .Append(row.Score.ToString(CultureInfo.InvariantCulture));
            foreach (var factor in row.Factors)
            {
                csv.Append(',').Append(factor.RawValue?.ToString(CultureInfo.InvariantCulture))
                    .Append(',').Append(factor.Contribution.ToString(CultureInfo.InvariantCulture));
            }

            csv.Append(Csv.LineBreak);
        }

        return csv.ToString();
    }

    private static string JsonNamingPolicyName(ScreeningFactor factor) => System.Text.Json.JsonNamingPolicy.CamelCase.ConvertName(factor.ToString());
}
