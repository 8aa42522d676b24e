namespace StockGod.MarketData.Providers.Simulation;

/// <summary>
/// Minute bars of one session that honour the day's bar exactly: the first minute opens at the day's open, the last
/// closes at its close, one minute touches the high and one the low, nothing leaves [low, high], and the minute
/// volumes add up to the day's (U-shaped, heavier at the open and close).
/// </summary>
internal static class IntradayPath
{
    public static Bar[] MinuteBars(string market, string symbol, MarketSession session, Bar day)
    {
        // Data that reaches this far is consistent, but a contradictory bar must not break the path.
        day = day with { High = Math.Max(day.High, Math.Max(day.Open, day.Close)), Low = Math.Min(day.Low, Math.Min(day.Open, day.Close)) };
        var minutes = (int)(session.Close - session.Open).TotalMinutes;
        var random = DeterministicRandom.For(market, symbol, session.Date.DayNumber, stream: 7);
        var path = PricePath(ref random, minutes, day);

        var bars = new Bar[minutes];
        var weights = new double[minutes];
        var weightSum = 0.0;
        for (var i = 0; i < minutes; i++)
        {
            var fromMiddle = ((i + 0.5) / minutes) - 0.5;
            weights[i] = (1.0 + (8.0 * fromMiddle * fromMiddle)) * Math.Exp(0.35 * random.NextGaussian());
            weightSum += weights[i];
        }

        var volumeLeft = day.Volume;
        var tradesLeft = (long)day.TradeCount;
        for (var i = 0; i < minutes; i++)
        {
            var open = path[i];
            var close = path[i + 1];
            // Wicks reach a little past the body, but never past the day's range.
            var wick = (double)(day.High - day.Low) * 0.05;
            var high = Math.Clamp(Cents(Math.Max((double)open, (double)close) + (wick * random.NextDouble())), Math.Max(open, close), day.High);
            var low = Math.Clamp(Cents(Math.Min((double)open, (double)close) - (wick * random.NextDouble())), day.Low, Math.Min(open, close));
            var volume = i == minutes - 1 ? volumeLeft : Math.Min(volumeLeft, (long)(day.Volume * weights[i] / weightSum));
            volumeLeft -= volume;
            var trades = i == minutes - 1 ? tradesLeft : Math.Min(tradesLeft, (long)(day.TradeCount * weights[i] / weightSum));
            tradesLeft -= trades;
            bars[i] = new Bar(
                session.Open.AddMinutes(i),
                open,
                high,
                low,
                close,
                volume,
                decimal.Round((open + high + low + close) / 4m, 4),
                (int)trades);
        }

        return bars;
    }

    /// <summary>Aggregates consecutive bars into one (open of the first, close of the last).</summary>
    public static Bar Aggregate(ReadOnlySpan<Bar> bars, DateTimeOffset timestamp)
    {
        decimal high = bars[0].High, low = bars[0].Low, notional = 0m;
        long volume = 0;
        var trades = 0;
        foreach (var bar in bars)
        {
            high = Math.Max(high, bar.High);
            low = Math.Min(low, bar.Low);
            volume += bar.Volume;
            trades += bar.TradeCount;
            notional += bar.Vwap * bar.Volume;
        }

        var vwap = volume > 0 ? decimal.Round(notional / volume, 4) : decimal.Round((bars[0].Open + bars[^1].Close) / 2m, 4);
        return new Bar(timestamp, bars[0].Open, high, low, bars[^1].Close, volume, vwap, trades);
    }

    /// <summary>
    /// minutes + 1 prices: Brownian bridges between the anchors open → high/low (in a random order, at random
    /// minutes) → close, clamped to the day's range and rounded to cents.
    /// </summary>
    private static decimal[] PricePath(ref DeterministicRandom random, int minutes, Bar day)
    {
        var path = new decimal[minutes + 1];
        if (minutes < 3)
        {
            path[0] = day.Open;
            for (var i = 1; i <= minutes; i++)
            {
                path[i] = day.Close;
            }

            return path;
        }

        var first = 1 + (int)(random.NextDouble() * (minutes - 2));
        var second = 1 + (int)(random.NextDouble() * (minutes - 2));
        if (second == first)
        {
            second = first < minutes - 1 ? first + 1 : first - 1;
        }

        var highFirst = random.NextDouble() < 0.5;
        var (highAt, lowAt) = highFirst ? (Math.Min(first, second), Math.Max(first, second)) : (Math.Max(first, second), Math.Min(first, second));
        (int At, decimal Price)[] anchors = highAt < lowAt
            ? [(0, day.Open), (highAt, day.High), (lowAt, day.Low), (minutes, day.Close)]
            : [(0, day.Open), (lowAt, day.Low), (highAt, day.High), (minutes, day.Close)];

        var range = Math.Max((double)(day.High - day.Low), 0.01);
        for (var a = 0; a < anchors.Length - 1; a++)
        {
            var (from, fromPrice) = anchors[a];
            var (to, toPrice) = anchors[a + 1];
            path[from] = fromPrice;
            var steps = to - from;
            var stepVolatility = range / Math.Sqrt(minutes) * 0.6;
            var walk = 0.0;
            var noise = new double[steps + 1];
            for (var i = 1; i <= steps; i++)
            {
                walk += stepVolatility * random.NextGaussian();
                noise[i] = walk;
            }

            for (var i = 1; i < steps; i++)
            {
                var t = (double)i / steps;
                var linear = (double)fromPrice + (((double)toPrice - (double)fromPrice) * t);
                var bridge = noise[i] - (t * noise[steps]);
                path[from + i] = Math.Clamp(Cents(linear + bridge), day.Low, day.High);
            }
        }

        path[minutes] = day.Close;
        return path;
    }

    private static decimal Cents(double price) => decimal.Round((decimal)price, 2);
}
