extern alias MarketDataServer;
using System.Diagnostics;
using System.Net;
using BenchmarkDotNet.Attributes;
using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Diagnosers;
using BenchmarkDotNet.Engines;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using Grpc.Net.Client;
using MarketDataServer::StockGod.MarketData.Extensions;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using StackExchange.Redis;
using StockGod.MarketData.V1;
using StockGod.Testing;

namespace StockGod.Benchmarks.MarketData;

/// <summary>
/// Warm GetQuotes over gRPC on loopback (HTTP/2 cleartext) at 1, 4 and 32 concurrent callers, against the limit: a
/// raw StackExchange.Redis MGET of the same 50 keys at the same concurrency. One operation is one call; each
/// invocation makes 800 of them, shared among the callers. Per-call latencies are collected and their p50/p99
/// printed at the end of each case. The GC mode is the process's: run once with <c>DOTNET_gcServer=1</c> (what the
/// service gets in production: a web project runs server GC) and once with <c>DOTNET_gcServer=0</c>.
/// </summary>
[Config(typeof(Config))]
public class GetQuotesBenchmarks
{
    private const int CallsPerInvocation = 800;
    private const int UniverseSize = 500;

    private readonly List<double> _latencies = [];
    private WebApplication _app = null!;
    private GrpcChannel[] _channels = [];
    private MarketDataService.MarketDataServiceClient[] _clients = [];
    private ConnectionMultiplexer _redis = null!;
    private GetQuotesRequest _request = null!;
    private RedisKey[] _keys = null!;

    /// <summary>
    /// The goal's three sizes at 32 callers over one HTTP/2 connection (what one client gets: a connection carries up
    /// to 100 streams before a second one is opened), the 50-symbol call over 4 connections, and at saner loads.
    /// </summary>
    public static IEnumerable<Load> Loads =>
    [
        new(Symbols: 1, Callers: 32), new(Symbols: 50, Callers: 32), new(Symbols: 500, Callers: 32),
        new(Symbols: 50, Callers: 32, Connections: 4), new(Symbols: 50, Callers: 32, StreamsPerConnection: 8),
        new(Symbols: 50, Callers: 1), new(Symbols: 50, Callers: 4),
    ];

    [ParamsSource(nameof(Loads))]
    public Load Case { get; set; }

    private int Symbols => Case.Symbols;

    [GlobalSetup]
    public async Task SetupAsync()
    {
        var redis = await TestServers.RedisAsync();
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = "Production" });
        builder.WebHost.ConfigureKestrel(k =>
        {
            k.Listen(IPAddress.Loopback, 0, l => l.Protocols = HttpProtocols.Http2);
            if (Case.StreamsPerConnection is { } streams)
            {
                // Past this many streams the client's handler (EnableMultipleHttp2Connections) opens another connection.
                k.Limits.Http2.MaxStreamsPerConnection = streams;
            }
        });
        builder.Logging.ClearProviders();
        builder.Configuration["ConnectionStrings:redis"] = redis;
        // Warm means fresh in memory: the TTL outlasts the run.
        builder.Configuration["MarketData:Cache:QuoteTtlWhenOpen"] = "01:00:00";
        builder.Configuration["MarketData:Cache:QuoteTtlWhenClosed"] = "01:00:00";
        builder.Configuration["MarketData:Cache:RedisKeyPrefix"] = "bench:";

        for (var i = 0; i < UniverseSize; i++)
        {
            builder.Configuration[$"MarketData:Synthetic:Symbols:{i}"] = $"S{i:D3}";
        }

        builder.AddServiceDefaults();
        builder.AddApplicationServices();
        _app = builder.Build();
        _app.MapMarketDataApi();
        await _app.StartAsync();

        // One channel per connection: a channel's handler opens a second HTTP/2 connection only past 100 streams.
        _channels = [.. Enumerable.Range(0, Case.Connections).Select(_ => GrpcChannel.ForAddress(_app.Urls.Single()))];
        _clients = [.. _channels.Select(c => new MarketDataService.MarketDataServiceClient(c))];
        _request = new GetQuotesRequest { Symbols = { Enumerable.Range(0, Symbols).Select(i => $"S{i:D3}") } };
        foreach (var client in _clients)
        {
            await client.GetQuotesAsync(_request);
        }

        // The same 50 quotes, as the service stored them in Redis.
        _redis = await ConnectionMultiplexer.ConnectAsync(redis);
        _keys = [.. Enumerable.Range(0, 50).Select(i => (RedisKey)$"bench:quote:S{i:D3}")];
        await _clients[0].GetQuotesAsync(new GetQuotesRequest { Symbols = { Enumerable.Range(0, 50).Select(i => $"S{i:D3}") } });
    }

    [Benchmark(OperationsPerInvoke = CallsPerInvocation)]
    public Task GetQuotes() => RunAsync(async worker => await _clients[worker % _clients.Length].GetQuotesAsync(_request));

    [Benchmark(OperationsPerInvoke = CallsPerInvocation)]
    public Task RedisMget50() => RunAsync(_ => _redis.GetDatabase().StringGetAsync(_keys));

    [GlobalCleanup(Target = nameof(GetQuotes))]
    public Task CleanupGetQuotesAsync() => CleanupAsync(nameof(GetQuotes));

    [GlobalCleanup(Target = nameof(RedisMget50))]
    public Task CleanupMgetAsync() => CleanupAsync(nameof(RedisMget50));

    private async Task CleanupAsync(string method)
    {
        _latencies.Sort();
        Console.WriteLine(
            $"// LATENCY {method} {Case} GC={(System.Runtime.GCSettings.IsServerGC ? "server" : "workstation")}: calls={_latencies.Count} p50={Percentile(0.50):F3} ms p99={Percentile(0.99):F3} ms");
        foreach (var channel in _channels)
        {
            channel.Dispose();
        }

        await _redis.DisposeAsync();
        await _app.DisposeAsync();
    }

    private async Task RunAsync<T>(Func<int, Task<T>> call)
    {
        var workers = new Task<double[]>[Case.Callers];
        var callsPerWorker = CallsPerInvocation / Case.Callers;
        for (var w = 0; w < workers.Length; w++)
        {
            var worker = w;
            workers[w] = Task.Run(async () =>
            {
                var timings = new double[callsPerWorker];
                for (var i = 0; i < callsPerWorker; i++)
                {
                    var started = Stopwatch.GetTimestamp();
                    await call(worker);
                    timings[i] = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
                }

                return timings;
            });
        }

        foreach (var timings in await Task.WhenAll(workers))
        {
            _latencies.AddRange(timings);
        }
    }

    private double Percentile(double p) => _latencies.Count == 0 ? 0 : _latencies[Math.Min(_latencies.Count - 1, (int)(p * _latencies.Count))];

    /// <summary>
    /// How many symbols per call, how many callers at once, over how many channels (each its own HTTP/2 connection),
    /// and the service's HTTP/2 stream limit per connection when not Kestrel's default (100).
    /// </summary>
    public readonly record struct Load(int Symbols, int Callers, int Connections = 1, int? StreamsPerConnection = null)
    {
        public override string ToString() =>
            $"{Symbols} sym x {Callers} callers"
            + (Connections > 1 ? $" x {Connections} conns" : "")
            + (StreamsPerConnection is { } streams ? $" x {streams} streams/conn" : "");
    }

    /// <summary>
    /// <see cref="ShortInProcessConfig"/> with more passes: on the shared machine the load changes within seconds, and
    /// the GetQuotes/MGET ratio is only meaningful over enough passes of both.
    /// </summary>
    private sealed class Config : ManualConfig
    {
        public Config()
        {
            AddJob(Job.Default.WithStrategy(RunStrategy.Monitoring).WithLaunchCount(1).WithWarmupCount(2).WithIterationCount(15)
                .WithToolchain(InProcessEmitToolchain.Instance));
            AddDiagnoser(MemoryDiagnoser.Default);
        }
    }
}
