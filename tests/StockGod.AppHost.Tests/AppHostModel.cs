using StockGod.AppHost.Hosting;

namespace StockGod.AppHost.Tests;

/// <summary>The graph the real AppHost Program builds, captured instead of run (as Aspire.Hosting.Testing does).</summary>
internal static class AppHostModel
{
    public static DistributedApplication Build(params string[] args) => DistributedApplication.CaptureFromProgram(args);

    /// <summary>A throwaway state folder, deleted on dispose.</summary>
    public sealed class StateFolder : IDisposable
    {
        public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), $"stockgod-apphost-test-{Guid.NewGuid():N}");

        public void Dispose()
        {
            if (Directory.Exists(Path))
            {
                Directory.Delete(Path, recursive: true);
            }
        }
    }
}
