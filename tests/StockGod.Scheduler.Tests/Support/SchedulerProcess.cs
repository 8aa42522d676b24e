using System.Diagnostics;
using StockGod.AppHost.Local;

namespace StockGod.Scheduler.Tests.Support;

/// <summary>
/// The built Scheduler (StockGod.Scheduler.dll of this configuration) as a real child process, configured by environment
/// variables under the keys Aspire injects. <see cref="Kill"/> is SIGKILL on Linux: no shutdown hook, no finally block,
/// no graceful Quartz stop runs. The last lines it wrote are kept for a failure's message.
/// </summary>
internal sealed class SchedulerProcess : IAsyncDisposable
{
    private const int KeptLines = 200;

    private readonly Process _process;
    private readonly Queue<string> _output = new();

    private SchedulerProcess(Process process, DateTimeOffset startedAt)
    {
        _process = process;
        StartedAt = startedAt;
    }

    public DateTimeOffset StartedAt { get; }

    public int Id => _process.Id;

    public bool HasExited => _process.HasExited;

    public static SchedulerProcess Start(IReadOnlyDictionary<string, string> environment)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = Path.GetDirectoryName(SchedulerDll)!,
        };
        start.ArgumentList.Add(SchedulerDll);
        start.Environment["ASPNETCORE_URLS"] = $"http://127.0.0.1:{LocalProcess.FindFreePort()}";
        start.Environment["DOTNET_ENVIRONMENT"] = "Production";
        start.Environment["ASPNETCORE_ENVIRONMENT"] = "Production";
        foreach (var (key, value) in environment)
        {
            start.Environment[key] = value;
        }

        var process = new Process { StartInfo = start };
        var scheduler = new SchedulerProcess(process, DateTimeOffset.UtcNow);
        process.OutputDataReceived += (_, e) => scheduler.Keep(e.Data);
        process.ErrorDataReceived += (_, e) => scheduler.Keep(e.Data);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return scheduler;
    }

    /// <summary>SIGKILL, then waits until the process is gone.</summary>
    public async Task KillAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: false);
        }

        await _process.WaitForExitAsync();
    }

    public string Output()
    {
        lock (_output)
        {
            return string.Join('\n', _output);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await KillAsync();
        _process.Dispose();
    }

    private void Keep(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            _output.Enqueue(line);
            while (_output.Count > KeptLines)
            {
                _output.Dequeue();
            }
        }
    }

    /// <summary>The Scheduler's own build output (bin/{Configuration}/{tfm}), which building this project builds.</summary>
    private static string SchedulerDll { get; } = FindSchedulerDll();

    private static string FindSchedulerDll()
    {
        // This assembly runs from tests/StockGod.Scheduler.Tests/bin/{Configuration}/{tfm}/.
        var output = new DirectoryInfo(AppContext.BaseDirectory.TrimEnd(Path.DirectorySeparatorChar));
        var tfm = output.Name;
        var configuration = output.Parent!.Name;
        for (var folder = output; folder is not null; folder = folder.Parent)
        {
            var dll = Path.Combine(folder.FullName, "StockGod.Scheduler", "bin", configuration, tfm, "StockGod.Scheduler.dll");
            if (File.Exists(Path.Combine(folder.FullName, "StockGod.sln")))
            {
                return File.Exists(dll) ? dll : throw new FileNotFoundException($"Build StockGod.Scheduler ({configuration}) first.", dll);
            }
        }

        throw new DirectoryNotFoundException($"No StockGod.sln above {output.FullName}.");
    }
}
