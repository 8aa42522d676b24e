using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace StockGod.Trading.Screening.Distributed;

/// <summary>
/// The universe and the fundamentals snapshot of the configuration, read from their files once per process.
/// </summary>
public sealed class ScreeningReferenceData(IOptions<ScreeningOptions> options, IHostEnvironment environment)
{
    private readonly Lazy<IReadOnlyList<UniverseMember>> _universe = new(() => ReadUniverse(options.Value, environment.ContentRootPath));
    private readonly Lazy<IReadOnlyDictionary<string, Fundamentals>?> _fundamentals = new(() =>
        string.IsNullOrWhiteSpace(options.Value.FundamentalsPath)
            ? null
            : ScreeningData.ReadFinancials(Resolve(options.Value.FundamentalsPath, environment.ContentRootPath)
                ?? throw new FileNotFoundException($"Screening:FundamentalsPath '{options.Value.FundamentalsPath}' was not found.")));

    /// <summary>The configured symbols, else the constituents file (with sectors).</summary>
    public IReadOnlyList<UniverseMember> Universe => _universe.Value;

    /// <summary>The fundamentals snapshot, or null when none is configured (synthetic market).</summary>
    public IReadOnlyDictionary<string, Fundamentals>? Fundamentals => _fundamentals.Value;

    private static IReadOnlyList<UniverseMember> ReadUniverse(ScreeningOptions options, string contentRoot)
    {
        if (options.Symbols.Count > 0)
        {
            return [.. options.Symbols.Select(s => new UniverseMember(s.Trim().ToUpperInvariant(), UniverseMember.UnknownSector))];
        }

        var path = string.IsNullOrWhiteSpace(options.ConstituentsPath) ? null : Resolve(options.ConstituentsPath, contentRoot);
        return path is not null
            ? ScreeningData.ReadConstituents(path)
            : throw new InvalidOperationException(
                $"No screening universe: set Screening:Symbols, or Screening:ConstituentsPath to a constituents file ('{options.ConstituentsPath}' was not found).");
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
