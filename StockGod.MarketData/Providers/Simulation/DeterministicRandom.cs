namespace StockGod.MarketData.Providers.Simulation;

/// <summary>
/// SplitMix64 seeded from stable hashes of names and dates, never from the process: every replica and every
/// restart draws the same numbers for the same symbol and time.
/// </summary>
internal struct DeterministicRandom(ulong seed)
{
    private ulong _state = seed;

    public static DeterministicRandom For(string market, string symbol, long moment, ulong stream) =>
        new(Mix(Hash(market) ^ Mix(Hash(symbol) + stream) ^ Mix((ulong)moment * 0x9E3779B97F4A7C15UL)));

    /// <summary>FNV-1a over the UTF-16 code units: stable across processes, unlike string.GetHashCode.</summary>
    public static ulong Hash(string value)
    {
        var hash = 14695981039346656037UL;
        foreach (var c in value)
        {
            hash = (hash ^ c) * 1099511628211UL;
        }

        return hash;
    }

    public ulong NextUInt64() => Mix(_state += 0x9E3779B97F4A7C15UL);

    /// <summary>Uniform in [0, 1).</summary>
    public double NextDouble() => (NextUInt64() >> 11) * (1.0 / (1UL << 53));

    public double NextDouble(double min, double max) => min + ((max - min) * NextDouble());

    /// <summary>Standard normal (Box-Muller).</summary>
    public double NextGaussian()
    {
        var u1 = 1.0 - NextDouble();
        var u2 = NextDouble();
        return Math.Sqrt(-2.0 * Math.Log(u1)) * Math.Cos(2.0 * Math.PI * u2);
    }

    private static ulong Mix(ulong z)
    {
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return z ^ (z >> 31);
    }
}
