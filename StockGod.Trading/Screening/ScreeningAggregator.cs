using StockGod.Trading.Indicators;

namespace StockGod.Trading.Screening;

/// <summary>
/// The second half of a screen: merges chunk results, normalises every weighted factor across the universe (or
/// within each sector), adds up the weighted contributions and ranks. Chunks are first put in symbol order, so the
/// result is identical whatever the chunk size, order or worker count. Ties rank by symbol (ordinal).
/// </summary>
public static class ScreeningAggregator
{
    private const decimal ZScoreClip = 3m;

    public static ScreeningResult Aggregate(ScreeningSettings settings, IEnumerable<ScreeningChunkResult> chunks)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(chunks);

        var rows = new List<SymbolFactorValues>();
        var excluded = new List<ScreeningExclusion>();
        foreach (var chunk in chunks)
        {
            rows.AddRange(chunk.Symbols);
            excluded.AddRange(chunk.Excluded);
        }

        rows.Sort((a, b) => string.CompareOrdinal(a.Symbol, b.Symbol));
        excluded.Sort((a, b) => string.CompareOrdinal(a.Symbol, b.Symbol));
        for (var i = 1; i < rows.Count; i++)
        {
            if (rows[i].Symbol == rows[i - 1].Symbol)
            {
                throw new ArgumentException($"'{rows[i].Symbol}' appears in more than one chunk.", nameof(chunks));
            }
        }

        var factors = ScreeningFactors.All;
        var normalized = new decimal[rows.Count, factors.Count];
        var groups = settings.WithinSector
            ? rows.Select((row, index) => (row.Sector, index)).GroupBy(r => r.Sector, StringComparer.Ordinal).Select(g => g.Select(r => r.index).ToArray()).ToList()
            : [Enumerable.Range(0, rows.Count).ToArray()];
        foreach (var factor in factors)
        {
            if (settings.WeightOf(factor) == 0m)
            {
                continue;
            }

            foreach (var group in groups)
            {
                Normalize(rows, group, factor, settings.Normalization, normalized);
            }
        }

        var scores = new decimal[rows.Count];
        for (var i = 0; i < rows.Count; i++)
        {
            foreach (var factor in factors)
            {
                scores[i] += settings.WeightOf(factor) * normalized[i, (int)factor];
            }
        }

        var order = Enumerable.Range(0, rows.Count).ToArray();
        Array.Sort(order, (a, b) => scores[a] != scores[b] ? scores[b].CompareTo(scores[a]) : string.CompareOrdinal(rows[a].Symbol, rows[b].Symbol));

        var ranking = new List<RankedSymbol>(rows.Count);
        for (var position = 0; position < order.Length; position++)
        {
            var i = order[position];
            var contributions = factors.Select(f => new FactorContribution(
                f, rows[i][f], normalized[i, (int)f], settings.WeightOf(f), settings.WeightOf(f) * normalized[i, (int)f])).ToList();
            var missing = factors.Where(f => settings.WeightOf(f) != 0m && rows[i][f] is null).ToList();
            ranking.Add(new RankedSymbol(position + 1, rows[i].Symbol, rows[i].Sector, scores[i], contributions, missing));
        }

        var top = ranking.Take(Math.Max(settings.TopN, 0)).ToList();
        var sectors = ranking.GroupBy(r => r.Sector, StringComparer.Ordinal)
            .Select(g => new SectorBreakdown(g.Key, g.Count(), top.Count(t => t.Sector == g.Key), g.Sum(r => r.Score) / g.Count()))
            .OrderByDescending(s => s.InTop).ThenBy(s => s.Sector, StringComparer.Ordinal)
            .ToList();

        return new ScreeningResult(settings.AsOf, settings, rows.Count + excluded.Count, top, ranking, sectors, excluded);
    }

    /// <summary>Normalises one factor over a group of rows (in symbol order); a missing value stays 0 (neutral).</summary>
    private static void Normalize(List<SymbolFactorValues> rows, int[] group, ScreeningFactor factor, FactorNormalization method, decimal[,] normalized)
    {
        var present = group.Where(i => rows[i][factor] is not null).ToArray();
        if (present.Length < 2)
        {
            return;
        }

        if (method == FactorNormalization.ZScore)
        {
            var mean = present.Sum(i => rows[i][factor]!.Value) / present.Length;
            var variance = present.Sum(i => (rows[i][factor]!.Value - mean) * (rows[i][factor]!.Value - mean)) / present.Length;
            var deviation = DecimalMath.Sqrt(variance);
            foreach (var i in present)
            {
                normalized[i, (int)factor] = deviation == 0m ? 0m : Math.Clamp((rows[i][factor]!.Value - mean) / deviation, -ZScoreClip, ZScoreClip);
            }

            return;
        }

        // Average ranks (ties share the mean of their positions), scaled to −1 … +1.
        var sorted = present.OrderBy(i => rows[i][factor]!.Value).ToArray();
        var last = sorted.Length - 1m;
        for (var start = 0; start < sorted.Length;)
        {
            var end = start;
            while (end + 1 < sorted.Length && rows[sorted[end + 1]][factor] == rows[sorted[start]][factor])
            {
                end++;
            }

            var scaled = ((start + end) / last) - 1m;
            for (var k = start; k <= end; k++)
            {
                normalized[sorted[k], (int)factor] = scaled;
            }

            start = end + 1;
        }
    }
}
