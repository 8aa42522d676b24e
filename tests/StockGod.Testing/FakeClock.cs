using Microsoft.Extensions.Time.Testing;

namespace StockGod.Testing;

/// <summary>Driving a <see cref="FakeTimeProvider"/> while code under test waits on it.</summary>
public static class FakeClock
{
    /// <summary>
    /// Moves the fake clock on by <paramref name="step"/> whenever <paramref name="task"/> has not completed after a
    /// moment, until it completes: for calls that wait on the clock (retry delays, rate-limit resets, stream ticks).
    /// </summary>
    public static async Task<T> DriveUntilAsync<T>(this FakeTimeProvider time, Task<T> task, TimeSpan step, CancellationToken cancellationToken)
    {
        while (!task.IsCompleted)
        {
            await Task.WhenAny(task, Task.Delay(10, cancellationToken));
            if (!task.IsCompleted)
            {
                time.Advance(step);
            }
        }

        return await task;
    }
}
