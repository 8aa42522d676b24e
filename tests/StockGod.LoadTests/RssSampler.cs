using System.Globalization;

namespace StockGod.LoadTests;

/// <summary>
/// Samples the resident set size (<c>VmRSS</c> of <c>/proc/&lt;pid&gt;/status</c>) of each service process every
/// <see cref="Interval"/> while a scenario runs and keeps the highest seen. <c>VmHWM</c>, the kernel's own peak, covers
/// the whole life of a process (start-up and set-up included), so it is read separately at the end.
/// </summary>
public sealed class RssSampler : IAsyncDisposable
{
    public static readonly TimeSpan Interval = TimeSpan.FromMilliseconds(250);

    private readonly IReadOnlyDictionary<string, int> _processIds;
    private readonly Dictionary<string, long> _peakKiB = [];
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _sampling;

    /// <param name="processIds">Service name → process id.</param>
    public RssSampler(IReadOnlyDictionary<string, int> processIds)
    {
        _processIds = processIds;
        Sample();
        _sampling = SampleUntilStoppedAsync();
    }

    /// <summary>Stops sampling (with one last sample) and returns the peak VmRSS per service in KiB (0: never read).</summary>
    public async Task<IReadOnlyDictionary<string, long>> StopAsync()
    {
        await _stop.CancelAsync();
        await _sampling;
        Sample();
        lock (_peakKiB)
        {
            return _processIds.Keys.ToDictionary(name => name, name => _peakKiB.GetValueOrDefault(name));
        }
    }

    /// <summary>A field of <c>/proc/&lt;pid&gt;/status</c> in KiB (<c>VmRSS</c>, <c>VmHWM</c>), or null when the process is gone.</summary>
    public static long? ReadStatusKiB(int processId, string field)
    {
        try
        {
            foreach (var line in File.ReadLines($"/proc/{processId.ToString(CultureInfo.InvariantCulture)}/status"))
            {
                // "VmRSS:	  123456 kB"
                if (line.StartsWith(field + ":", StringComparison.Ordinal))
                {
                    return long.Parse(line.AsSpan(field.Length + 1).Trim().TrimEnd("kB").Trim(), CultureInfo.InvariantCulture);
                }
            }
        }
        catch (Exception ex) when (ex is IOException or UnauthorizedAccessException)
        {
        }

        return null;
    }

    private async Task SampleUntilStoppedAsync()
    {
        using var timer = new PeriodicTimer(Interval);
        try
        {
            while (await timer.WaitForNextTickAsync(_stop.Token))
            {
                Sample();
            }
        }
        catch (OperationCanceledException)
        {
        }
    }

    private void Sample()
    {
        foreach (var (name, processId) in _processIds)
        {
            if (ReadStatusKiB(processId, "VmRSS") is { } rss)
            {
                lock (_peakKiB)
                {
                    _peakKiB[name] = Math.Max(_peakKiB.GetValueOrDefault(name), rss);
                }
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (!_stop.IsCancellationRequested)
        {
            await _stop.CancelAsync();
        }

        await _sampling;
        _stop.Dispose();
    }
}
