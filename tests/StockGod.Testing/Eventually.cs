using System.Diagnostics;

namespace StockGod.Testing;

/// <summary>
/// Waits for something another process or a background loop makes true (a reconnection, a health status, a
/// notification applied): polls it and fails the test with <c>failure</c> once <c>within</c> (default 60 s) has
/// passed, checking every <c>interval</c> (default 100 ms; a condition that advances a fake clock decides its own). A
/// bound on a wait for correctness, not a measure of speed.
/// </summary>
public static class Eventually
{
    private static readonly TimeSpan DefaultWithin = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan DefaultInterval = TimeSpan.FromMilliseconds(100);

    public static async Task UntilAsync(Func<Task<bool>> condition, string failure, CancellationToken cancellationToken, TimeSpan? within = null, TimeSpan? interval = null)
    {
        var limit = within ?? DefaultWithin;
        var waited = Stopwatch.StartNew();
        while (!await condition())
        {
            if (waited.Elapsed >= limit)
            {
                throw new TimeoutException($"{failure} (waited {limit.TotalSeconds:0} s)");
            }

            await Task.Delay(interval ?? DefaultInterval, cancellationToken);
        }
    }

    public static Task UntilAsync(Func<bool> condition, string failure, CancellationToken cancellationToken, TimeSpan? within = null, TimeSpan? interval = null) =>
        UntilAsync(() => Task.FromResult(condition()), failure, cancellationToken, within, interval);
}
