using Xunit.Sdk;
using Xunit.v3;

namespace StockGod.Testing;

/// <summary>
/// Stops the throwaway servers when the test pipeline shuts down, while the runner still waits for it. Left to
/// process exit, the stop could outlast the runner's 10 s grace after its entry point returns, and the run would end
/// with "Foreground threads were left running" although every test passed. Every test project registers it
/// (tests/Directory.Build.props).
/// </summary>
public sealed class TestServersLifetime : ITestPipelineStartup
{
    public ValueTask StartAsync(IMessageSink diagnosticMessageSink) => ValueTask.CompletedTask;

    public ValueTask StopAsync() => new(TestServers.StopAllAsync());
}
