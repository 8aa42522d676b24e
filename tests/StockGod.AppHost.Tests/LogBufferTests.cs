using StockGod.AppHost.Orchestration;

namespace StockGod.AppHost.Tests;

public sealed class LogBufferTests
{
    [Fact]
    public void Keeps_the_last_lines_in_order_and_answers_what_is_new_since_a_sequence()
    {
        var buffer = new LogBuffer(capacity: 3);
        foreach (var text in (string[])["a", "b", "c", "d", "e"])
        {
            buffer.Add(text, DateTimeOffset.UnixEpoch);
        }

        Assert.Equal(["c", "d", "e"], buffer.Since().Select(l => l.Text));
        Assert.Equal([2L, 3L, 4L], buffer.Since().Select(l => l.Sequence));
        Assert.Equal(["e"], buffer.Since(after: 3).Select(l => l.Text));
        Assert.Empty(buffer.Since(after: 4));
        Assert.Equal(["d", "e"], buffer.Last(2).Select(l => l.Text));
    }
}
