extern alias MarketDataServer;
using System.Diagnostics;
using System.Net;
using BenchmarkDotNet.Attributes;
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
[Config(typeof(ShortInProcessConfig))]
public class GetQuotesBenchmarks
{
    private const int CallsPerInvocation = 800;
    private const int UniverseSize = 500;

    private readonly List<double> _latencies = [];
    private WebApplication _app = null!;
    private GrpcChannel _channel = null!;
    private MarketDataService.MarketDataServiceClient _client = null!;
    private ConnectionMultiplexer _redis = null!;
    private GetQuotesRequest _request = null!;
    private RedisKey[] _keys = null!;

    /// <summary>The goal's three sizes at 32 callers, and the 50-symbol call at saner loads.</summary>
    public static IEnumerable<Load> Loads =>
        [new(Symbols: 1, Callers: 32), new(Symbols: 50, Callers: 32), new(Symbols: 500, Callers: 32), new(Symbols: 50, Callers: 1), new(Symbols: 50, Callers: 4)];

    [ParamsSource(nameof(Loads))]
    public Load Case { get; set; }

    private int Symbols => Case.Symbols;

    [GlobalSetup]
    public async Task SetupAsync()
    {
        var redis = await TestServers.RedisAsync();
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = "Production" });
        builder.WebHost.ConfigureKestrel(k => k.Listen(IPAddress.Loopback, 0, l => l.Protocols = HttpProtocols.Http2));
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

        _channel = GrpcChannel.ForAddress(_app.Urls.Single());
        _client = new MarketDataService.MarketDataServiceClient(_channel);
        _request = new GetQuotesRequest { Symbols = { Enumerable.Range(0, Symbols).Select(i => $"S{i:D3}") } };
        await _client.GetQuotesAsync(_request);

        // The same 50 quotes, as the service stored them in Redis.
        _redis = await ConnectionMultiplexer.ConnectAsync(redis);
        _keys = [.. Enumerable.Range(0, 50).Select(i => (RedisKey)$"bench:quote:S{i:D3}")];
        await _client.GetQuotesAsync(new GetQuotesRequest { Symbols = { Enumerable.Range(0, 50).Select(i => $"S{i:D3}") } });
    }

    [Benchmark(OperationsPerInvoke = CallsPerInvocation)]
    public Task GetQuotes() => RunAsync(async () => await _client.GetQuotesAsync(_request));

    [Benchmark(OperationsPerInvoke = CallsPerInvocation)]
    public Task RedisMget50() => RunAsync(() => _redis.GetDatabase().StringGetAsync(_keys));

    [GlobalCleanup]
    public async Task CleanupAsync()
    {
        _latencies.Sort();
        Console.WriteLine(
            $"// LATENCY {Case} GC={(System.Runtime.GCSettings.IsServerGC ? "server" : "workstation")}: calls={_latencies.Count} p50={Percentile(0.50):F3} ms p99={Percentile(0.99):F3} ms");
        _channel.Dispose();
        await _redis.DisposeAsync();
        await _app.DisposeAsync();
    }

    private async Task RunAsync<T>(Func<Task<T>> call)
    {
        var workers = new Task<double[]>[Case.Callers];
        var callsPerWorker = CallsPerInvocation / Case.Callers;
        for (var w = 0; w < workers.Length; w++)
        {
            workers[w] = Task.Run(async () =>
            {
                var timings = new double[callsPerWorker];
                for (var i = 0; i < callsPerWorker; i++)
                {
                    var started = Stopwatch.GetTimestamp();
                    await call();
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

    /// <summary>How many symbols per call and how many callers at once.</summary>
    public readonly record struct Load(int Symbols, int Callers)
    {
        public override string ToString() => $"{Symbols} sym x {Callers} callers";
    }
}
