using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Runtime.InteropServices;

namespace StockGod.AppHost.Local;

/// <summary>Process helpers for running the machine's PostgreSQL and Redis as local child processes.</summary>
public static partial class LocalProcess
{
    public static bool IsRoot => Environment.UserName == "root" || GetEffectiveUserId() == 0;

    /// <summary>A port that was free a moment ago on the loopback interface.</summary>
    public static int FindFreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>
    /// Starts <paramref name="fileName"/>, as <paramref name="runAsUser"/> when given and we are root (PostgreSQL refuses
    /// to run as root). The child gets a session of its own (<c>setsid</c>), so a Ctrl+C in the terminal reaches only us
    /// and we stop the children in order. <c>setsid</c> and <c>setpriv</c> exec the program, so the returned process is
    /// the program itself and signals reach it.
    /// </summary>
    public static Process Start(
        string fileName, IEnumerable<string> arguments, string? runAsUser, Action<string>? onOutput, Action<ProcessStartInfo>? configure = null)
    {
        var startInfo = new ProcessStartInfo
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };

        List<string> prefix = [];
        if (FindExecutable("setsid", "/usr/bin", "/bin") is { } setsid)
        {
            prefix.Add(setsid);
        }

        if (runAsUser is not null && IsRoot)
        {
            prefix.AddRange(["setpriv", $"--reuid={runAsUser}", $"--regid={runAsUser}", "--init-groups", "--"]);
        }

        prefix.Add(fileName);
        startInfo.FileName = prefix[0];
        foreach (var arg in prefix.Skip(1))
        {
            startInfo.ArgumentList.Add(arg);
        }

        foreach (var arg in arguments)
        {
            startInfo.ArgumentList.Add(arg);
        }

        var process = new Process { StartInfo = startInfo, EnableRaisingEvents = true };
        process.OutputDataReceived += (_, e) => { if (e.Data is not null) onOutput?.Invoke(e.Data); };
        process.ErrorDataReceived += (_, e) => { if (e.Data is not null) onOutput?.Invoke(e.Data); };
        configure?.Invoke(startInfo);
        process.Start();
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }

    /// <summary>Runs a command to completion and returns its exit code and output; used for initdb and chown.</summary>
    public static async Task<(int ExitCode, string Output)> RunAsync(
        string fileName, IEnumerable<string> arguments, string? runAsUser, CancellationToken cancellationToken)
    {
        var output = new System.Text.StringBuilder();
        using var process = Start(fileName, arguments, runAsUser, line => { lock (output) { output.AppendLine(line); } });
        try
        {
            await process.WaitForExitAsync(cancellationToken);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }

        lock (output)
        {
            return (process.ExitCode, output.ToString());
        }
    }

    /// <summary>Asks a process to stop with a signal, then kills it if it has not exited within <paramref name="grace"/>.</summary>
    public static async Task StopAsync(Process process, int signal, TimeSpan grace)
    {
        if (process.HasExited)
        {
            return;
        }

        _ = SendSignal(process.Id, signal);
        using var timeout = new CancellationTokenSource(grace);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            await process.WaitForExitAsync(CancellationToken.None);
        }
    }

    public const int SIGINT = 2;
    public const int SIGQUIT = 3;
    public const int SIGKILL = 9;
    public const int SIGTERM = 15;

    public static bool SendSignal(int pid, int signal) => Kill(pid, signal) == 0;

    [LibraryImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static partial int Kill(int pid, int signal);

    [LibraryImport("libc", EntryPoint = "geteuid")]
    private static partial uint GetEffectiveUserId();

    /// <summary>Finds a program on PATH or in the given folders.</summary>
    public static string? FindExecutable(string name, params string[] extraDirectories)
    {
        var path = Environment.GetEnvironmentVariable("PATH") ?? string.Empty;
        foreach (var dir in extraDirectories.Concat(path.Split(':', StringSplitOptions.RemoveEmptyEntries)))
        {
            var candidate = Path.Combine(dir, name);
            if (File.Exists(candidate))
            {
                return candidate;
            }
        }

        return null;
    }
}
