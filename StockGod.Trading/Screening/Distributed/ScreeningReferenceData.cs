using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using StockGod.Trading.Market;

namespace StockGod.Trading.Screening.Distributed;

/// <summary>
/// The universe and the fundamentals snapshot of the configuration, read once per process: the configured symbols,
/// else the constituents file (with sectors), else the market-data provider's own universe.
/// </summary>
public sealed class ScreeningReferenceData(IOptions<ScreeningOptions> options, IHostEnvironment environment, IMarketDataSource marketData)
{
    private readonly Lazy<IReadOnlyList<UniverseMember>?> _configuredUniverse = new(() => ReadConfiguredUniverse(options.Value, environment.ContentRootPath));
    private IReadOnlyList<UniverseMember>? _providerUniverse;
    private readonly Lazy<IReadOnlyDictionary<string, Fundamentals>?> _fundamentals = new(() =>
        string.IsNullOrWhiteSpace(options.Value.FundamentalsPath)
            ? null
            : ScreeningData.ReadFinancials(Resolve(options.Value.FundamentalsPath, environment.ContentRootPath)
                ?? throw new FileNotFoundException($"Screening:FundamentalsPath '{options.Value.FundamentalsPath}' was not found.")));

    public async Task<IReadOnlyList<UniverseMember>> GetUniverseAsync(CancellationToken cancellationToken)
    {
        if ((_configuredUniverse.Value ?? _providerUniverse) is { } universe)
        {
            return universe;
        }

        var listed = await marketData.ListSymbolsAsync(cancellationToken);
        return listed.Count > 0
            ? _providerUniverse = [.. listed.Select(s => new UniverseMember(s, UniverseMember.UnknownSector))]
            : throw new InvalidOperationException(
                "No screening universe: set Screening:Symbols or Screening:ConstituentsPath " +
                $"('{options.Value.ConstituentsPath}' was not found), or use a market-data provider that lists its symbols.");
    }

    /// <summary>The fundamentals snapshot, or null when none is configured (synthetic market).</summary>
    public IReadOnlyDictionary<string, Fundamentals>? Fundamentals => _fundamentals.Value;

    private static IReadOnlyList<UniverseMember>? ReadConfiguredUniverse(ScreeningOptions options, string contentRoot)
    {
        if (options.Symbols.Count > 0)
        {
            return [.. options.Symbols.Select(s => new UniverseMember(s.Trim().ToUpperInvariant(), UniverseMember.UnknownSector))];
        }

        var path = string.IsNullOrWhiteSpace(options.ConstituentsPath) ? null : Resolve(options.ConstituentsPath, contentRoot);
        return path is null ? null : ScreeningData.ReadConstituents(path);
    }

    /// <summary>An absolute path as it is; a relative one under the content root or the first of its parents that has it.</summary>
    private static string? Resolve(string path, string contentRoot)
    {
        if (Path.IsPathRooted(path))
        {
            return File.Exists(path) ? path : null;
        }

        for (var folder = new DirectoryInfo(contentRoot); folder is not null; folder = folder.Parent)
        {
            var candidate = Path.GetFullPath(Path.Combine(folder.FullName, path));
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        return null;
    }
}
