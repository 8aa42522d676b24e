extern alias api;
extern alias MarketDataServer;
using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Runtime.CompilerServices;
using Google.Protobuf;
using Grpc.Core;
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
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using OpenTelemetry.Logs;
using StackExchange.Redis;
using StockGod.MarketData.V1;
using StockGod.Testing;
using ConsumerV1 = api::StockGod.MarketData.V1;
using ConsumerMessages = api::StockGod.MarketData.Client.MarketDataMessages;
using DomainQuote = StockGod.Trading.Market.Quote;
using IMarketDataSource = StockGod.Trading.Market.IMarketDataSource;

namespace StockGod.Benchmarks.MarketData;

/// <summary>
/// Warm GetQuotes over gRPC on loopback (HTTP/2 cleartext) at 1, 4 and 32 concurrent callers, against the limit: a
/// raw StackExchange.Redis MGET of the same 50 keys at the same concurrency. One operation is one call; each
/// invocation makes 800 of them, shared among the callers. Per-call latencies are collected and their p50/p99
/// printed at the end of each case. The GC mode is the process's: run once with <c>DOTNET_gcServer=1</c> (what the
/// service gets in production: a web project runs server GC) and once with <c>DOTNET_gcServer=0</c>.
/// <para>
/// Besides the bare gRPC client, the per-call cost is split: the same call with the response left unparsed
/// (<see cref="GetQuotesUnparsed"/>), the client as Api and Scheduler register it (<see cref="GetQuotesAsRegistered"/>),
/// a plain HTTP/2 POST of the prebuilt gRPC request (<see cref="RawHttp2GetQuotes"/>) and a plain HTTP/2 POST to an
/// endpoint that answers the same bytes as a constant (<see cref="RawHttp2Constant"/>). The consumers' path to domain
/// quotes is measured as they run it (<see cref="GetQuotesFromSource"/>: <c>GrpcMarketDataSource</c> as registered,
/// reading the response bytes straight into domain quotes), against its reader alone
/// (<see cref="GetDomainQuotesAsRegistered"/>) and the path it replaced (<see cref="GetQuotesViaMessages"/>: the
/// generated messages, then <c>ToQuote</c>). Environment switches, read
/// once: <c>GETQUOTES_LOADS</c> (e.g. <c>50x32,1x32</c>: symbols x callers) keeps only those loads;
/// <c>GETQUOTES_TELEMETRY=off</c> composes the service without ServiceDefaults' OpenTelemetry (to measure its share).
/// </para>
/// </summary>
[Config(typeof(Config))]
public class GetQuotesBenchmarks
{
    private const int CallsPerInvocation = 800;
    private const int UniverseSize = 500;

    private readonly List<double> _latencies = [];
    private string _method = "";
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
    public static IEnumerable<Load> Loads => Environment.GetEnvironmentVariable("GETQUOTES_LOADS") is { Length: > 0 } only
        ? AllLoads.Where(l => l.Connections == 1 && l.StreamsPerConnection is null && only.Split(',').Contains($"{l.Symbols}x{l.Callers}"))
        : AllLoads;

    private static readonly Load[] AllLoads =
    [
        new(Symbols: 1, Callers: 32), new(Symbols: 50, Callers: 32), new(Symbols: 500, Callers: 32),
        new(Symbols: 50, Callers: 32, Connections: 4), new(Symbols: 50, Callers: 32, StreamsPerConnection: 8),
        new(Symbols: 50, Callers: 1), new(Symbols: 50, Callers: 4),
    ];

    private const string ConstantPath = "/bench/constant";
    private static readonly object Received = new();
    private static readonly Method<GetQuotesRequest, object> UnparsedGetQuotes = new(
        MethodType.Unary,
        MarketDataService.Descriptor.FullName,
        "GetQuotes",
        Marshallers.Create(r => r.ToByteArray(), GetQuotesRequest.Parser.ParseFrom),
        // The response received but not parsed: what the call costs without the client's protobuf parsing of the quotes.
        new Marshaller<object>((_, _) => throw new NotSupportedException(), _ => Received));

    private MarketDataService.MarketDataServiceClient _retrying = null!;
    private GrpcChannel _retryingChannel = null!;
    private Microsoft.Extensions.Hosting.IHost _consumer = null!;
    private ConsumerV1.MarketDataService.MarketDataServiceClient _registered = null!;
    private ConsumerV1.GetQuotesRequest _consumerRequest = null!;
    private IMarketDataSource _source = null!;
    private string[] _symbols = [];
    private HttpClient _http = null!;
    private byte[] _grpcRequestBody = [];
    private byte[] _constantResponse = [];
    private Uri _getQuotesUri = null!;
    private Uri _constantUri = null!;

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

        if (Environment.GetEnvironmentVariable("GETQUOTES_TELEMETRY") == "off")
        {
            // ServiceDefaults without its OpenTelemetry: the health checks and service discovery only.
            builder.AddDefaultHealthChecks();
            builder.Services.AddServiceDiscovery();
        }
        else
        {
            builder.AddServiceDefaults();
        }

        builder.AddApplicationServices();
        _app = builder.Build();
        _app.MapMarketDataApi();
        // The HTTP/2 floor through the same Kestrel, hosting and routing: a constant body of the 50-quote response's size.
        _app.MapPost(ConstantPath, (HttpContext context) => context.Response.Body.WriteAsync(_constantResponse).AsTask());
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

        // Plain HTTP/2 (prior knowledge, as gRPC over cleartext): a gRPC-framed request body built once.
        var request = _request.ToByteArray();
        _grpcRequestBody = [0, .. BitConverter.GetBytes(request.Length).Reverse(), .. request];
        _constantResponse = new byte[(await _clients[0].GetQuotesAsync(_request)).CalculateSize()];
        _http = new HttpClient(new SocketsHttpHandler { EnableMultipleHttp2Connections = true })
        {
            DefaultRequestVersion = HttpVersion.Version20,
            DefaultVersionPolicy = HttpVersionPolicy.RequestVersionExact,
        };
        _getQuotesUri = new Uri(new Uri(_app.Urls.Single()), $"/{MarketDataService.Descriptor.FullName}/GetQuotes");
        _constantUri = new Uri(new Uri(_app.Urls.Single()), ConstantPath);
        await RawPostAsync(_getQuotesUri);

        // The retry policy of the registered client (MarketDataClientExtensions) on an otherwise bare channel.
        _retryingChannel = GrpcChannel.ForAddress(_app.Urls.Single(), new GrpcChannelOptions
        {
            ServiceConfig = api::Microsoft.Extensions.Hosting.MarketDataClientExtensions.RetryOnUnavailable(new api::StockGod.MarketData.Client.MarketDataClientOptions()),
        });
        _retrying = new MarketDataService.MarketDataServiceClient(_retryingChannel);
        await _retrying.GetQuotesAsync(_request);

        _consumer = StartConsumer(_app.Urls.Single());
        _registered = _consumer.Services.GetRequiredService<ConsumerV1.MarketDataService.MarketDataServiceClient>();
        _consumerRequest = ConsumerV1.GetQuotesRequest.Parser.ParseFrom(request);
        await _registered.GetQuotesAsync(_consumerRequest);
        _source = _consumer.Services.GetRequiredService<IMarketDataSource>();
        _symbols = [.. _request.Symbols];
        await WarmUpAsync();
    }

    /// <summary>
    /// Warm means JIT-warm too, as a service that has run for a while is: every path runs a few thousand calls, then
    /// the background compiler gets a moment to finish tier-1 code. Without this the first method measured ran
    /// partly on tier-0 code on the loaded machine (with <c>DOTNET_TieredCompilation=0</c> its mean fell 3.6×) while
    /// the methods after it found the shared HTTP/2 and gRPC code already compiled.
    /// </summary>
    private async Task WarmUpAsync()
    {
        for (var round = 0; round < 10; round++)
        {
            await GetQuotes();
            await GetQuotesWithRetryPolicy();
            await GetQuotesUnparsed();
            await GetQuotesAsRegistered();
            await GetDomainQuotesAsRegistered();
            await GetQuotesFromSource();
            await GetQuotesViaMessages();
            await RawHttp2GetQuotes();
            await RawHttp2Constant();
            await RedisMget50();
        }

        _latencies.Clear();
        await Task.Delay(TimeSpan.FromSeconds(3));
    }

    /// <summary>
    /// A consumer as Api and Scheduler compose the client: <c>AddMarketDataClient</c> (service discovery, default
    /// deadline, retry on UNAVAILABLE, HttpClientFactory's handlers) with their logging (Information, the OpenTelemetry
    /// provider ServiceDefaults adds; no console, which would write into the benchmark's output). The service's
    /// tracer provider in this process already records the client's activities, so the consumer adds none of its own.
    /// </summary>
    private static Microsoft.Extensions.Hosting.IHost StartConsumer(string address)
    {
        var builder = Host.CreateApplicationBuilder(new HostApplicationBuilderSettings { EnvironmentName = "Production" });
        builder.Logging.ClearProviders();
        builder.Logging.SetMinimumLevel(LogLevel.Information);
        builder.Logging.AddOpenTelemetry(logging =>
        {
            logging.IncludeFormattedMessage = true;
            logging.IncludeScopes = true;
        });
        builder.Configuration["services:marketdata:http:0"] = address;
        builder.Services.AddSingleton(TimeProvider.System);
        builder.Services.AddServiceDiscovery();
        builder.Services.ConfigureHttpClientDefaults(http => http.AddServiceDiscovery());
        api::Microsoft.Extensions.Hosting.MarketDataClientExtensions.AddMarketDataClient(builder);
        var host = builder.Build();
        host.Start();
        return host;
    }

    [Benchmark(OperationsPerInvoke = CallsPerInvocation)]
    public Task GetQuotes() => RunAsync(async worker => await _clients[worker % _clients.Length].GetQuotesAsync(_request));

    /// <summary>The bare client over a channel with the registered client's retry policy (retry on UNAVAILABLE), nothing else.</summary>
    [Benchmark(OperationsPerInvoke = CallsPerInvocation)]
    public Task GetQuotesWithRetryPolicy() => RunAsync(async _ => await _retrying.GetQuotesAsync(_request));

    /// <summary>The same call, the response's bytes received but not parsed into 50 <see cref="Quote"/>s.</summary>
    [Benchmark(OperationsPerInvoke = CallsPerInvocation)]
    public Task GetQuotesUnparsed() => RunAsync(async worker =>
        await _channels[worker % _channels.Length].CreateCallInvoker().AsyncUnaryCall(UnparsedGetQuotes, null, default, _request));

    /// <summary>The client as Api and Scheduler register it (one channel: the factory's).</summary>
    [Benchmark(OperationsPerInvoke = CallsPerInvocation)]
    public Task GetQuotesAsRegistered() => RunAsync(async _ => await _registered.GetQuotesAsync(_consumerRequest));

    /// <summary>The registered client's GetQuotes read straight into domain quotes (<c>GetDomainQuotesAsync</c>).</summary>
    [Benchmark(OperationsPerInvoke = CallsPerInvocation)]
    public Task GetDomainQuotesAsRegistered() => RunAsync(async _ => await _registered.GetDomainQuotesAsync(_consumerRequest));

    /// <summary>The consumers' production path: <c>GrpcMarketDataSource.GetQuotesAsync</c> as <c>AddMarketDataClient</c> registers it.</summary>
    [Benchmark(OperationsPerInvoke = CallsPerInvocation)]
    public Task GetQuotesFromSource() => RunAsync(_ => _source.GetQuotesAsync(_symbols));

    /// <summary>
    /// The path <see cref="GetQuotesFromSource"/> replaced, as <c>GrpcMarketDataSource</c> ran it before: the registered
    /// client's generated messages, then <c>ToQuote</c> each into the case-insensitive dictionary.
    /// </summary>
    [Benchmark(OperationsPerInvoke = CallsPerInvocation)]
    public Task GetQuotesViaMessages() => RunAsync(async _ =>
    {
        var quotes = new Dictionary<string, DomainQuote>(StringComparer.OrdinalIgnoreCase);
        foreach (var batch in _symbols.Distinct(StringComparer.OrdinalIgnoreCase).Chunk(1_000))
        {
            var request = new ConsumerV1.GetQuotesRequest();
            request.Symbols.AddRange(batch);
            foreach (var quote in (await _registered.GetQuotesAsync(request)).Quotes)
            {
                quotes[quote.Symbol] = ConsumerMessages.ToQuote(quote);
            }
        }

        return quotes;
    });

    /// <summary>The service's full gRPC path, called without Grpc.Net.Client: a plain HTTP/2 POST of the framed request.</summary>
    [Benchmark(OperationsPerInvoke = CallsPerInvocation)]
    public Task RawHttp2GetQuotes() => RunAsync(_ => RawPostAsync(_getQuotesUri));

    /// <summary>The HTTP/2 floor: a plain POST to an endpoint that writes the 50-quote response's size of constant bytes.</summary>
    [Benchmark(OperationsPerInvoke = CallsPerInvocation)]
    public Task RawHttp2Constant() => RunAsync(_ => RawPostAsync(_constantUri));

    [Benchmark(OperationsPerInvoke = CallsPerInvocation)]
    public Task RedisMget50() => RunAsync(_ => _redis.GetDatabase().StringGetAsync(_keys));

    [GlobalCleanup]
    public async Task CleanupAsync()
    {
        _latencies.Sort();
        Console.WriteLine(
            $"// LATENCY {_method} {Case} GC={(System.Runtime.GCSettings.IsServerGC ? "server" : "workstation")} telemetry={Environment.GetEnvironmentVariable("GETQUOTES_TELEMETRY") ?? "on"}: calls={_latencies.Count} p50={Percentile(0.50):F3} ms p99={Percentile(0.99):F3} ms");
        _http.Dispose();
        _retryingChannel.Dispose();
        _consumer.Dispose();
        foreach (var channel in _channels)
        {
            channel.Dispose();
        }

        await _redis.DisposeAsync();
        await _app.DisposeAsync();
    }

    /// <summary>A plain POST read as a stream into a per-thread buffer: the lightest an HttpClient call gets.</summary>
    private async Task<int> RawPostAsync(Uri uri)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, uri) { Content = new ByteArrayContent(_grpcRequestBody) };
        request.Content.Headers.ContentType = GrpcContentType;
        request.Headers.TE.Add(Trailers);
        using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead);
        await using var body = await response.Content.ReadAsStreamAsync();
        var buffer = _readBuffer ??= new byte[64 * 1024];
        int read, total = 0;
        while ((read = await body.ReadAsync(buffer)) > 0)
        {
            total += read;
        }

        return total;
    }

    [ThreadStatic]
    private static byte[]? _readBuffer;

    private static readonly MediaTypeHeaderValue GrpcContentType = new("application/grpc");
    private static readonly TransferCodingWithQualityHeaderValue Trailers = new("trailers");

    private async Task RunAsync<T>(Func<int, Task<T>> call, [CallerMemberName] string method = "")
    {
        _method = method;
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
