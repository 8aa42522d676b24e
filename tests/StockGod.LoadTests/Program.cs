using StockGod.LoadTests;

// A bounded load on the real services as separate processes (docs/benchmarks.md, "Load harness (real processes)"):
//   dotnet run -c Release --project tests/StockGod.LoadTests -- --duration 60s --output load.md
// The report (markdown) goes to stdout, progress to stderr. Exit code 1 when any request failed, 2 on bad arguments,
// 130 when stopped with Ctrl+C (the services are stopped all the same).
LoadOptions options;
try
{
    options = LoadOptions.Parse(args);
}
catch (ArgumentException ex)
{
    await Console.Error.WriteLineAsync(ex.Message + Environment.NewLine + LoadOptions.Usage);
    return 2;
}

// Ctrl+C stops the load early; the services are still stopped.
using var cancel = new CancellationTokenSource();
Console.CancelKeyPress += (_, e) =>
{
    e.Cancel = true;
    cancel.Cancel();
};

LoadReport report;
try
{
    report = await LoadRun.RunAsync(options, Console.Error, cancel.Token);
}
catch (OperationCanceledException) when (cancel.IsCancellationRequested)
{
    await Console.Error.WriteLineAsync("Stopped before the end: no report.");
    return 130;
}

var markdown = report.ToMarkdown();
await Console.Out.WriteAsync(markdown);
if (options.OutputPath is { } path)
{
    await File.WriteAllTextAsync(path, markdown);
}

return report.TotalErrors == 0 ? 0 : 1;
