using System.Reflection;
using BenchmarkDotNet.Running;

// Run one suite with: dotnet run -c Release --project tests/StockGod.Benchmarks -- --filter '*Name*'
BenchmarkSwitcher.FromAssembly(Assembly.GetExecutingAssembly()).Run(args);
