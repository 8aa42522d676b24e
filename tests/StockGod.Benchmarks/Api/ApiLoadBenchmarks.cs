using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text;
using System.Text.Json;
using BenchmarkDotNet.Attributes;
using Microsoft.AspNetCore.Http.Connections;
using Microsoft.AspNetCore.SignalR.Client;
using StockGod.Testing.Events;
using StockGod.Trading.Brokerage;
using StockGod.Trading.Events;

namespace StockGod.Benchmarks.Api;

/// <summary>
/// A bounded load on the Api over Kestrel on loopback, real PostgreSQL and Redis, real MarketData:
/// <list type="bullet">
/// <item>GET of a portfolio with 20 positions at 64 concurrent connections, against the limit: the bare liveness
/// endpoint of the same process (the same middleware pipeline, no work) at the same concurrency;</item>
/// <item>POST of a market order filled by the simulated exchange (8 concurrent callers, one portfolio each), and the
/// same by one caller alone (the latency one trader sees, with no queueing behind other callers);</item>
/// <item>an event published as the Scheduler does (<see cref="ITradingEventPublisher"/>) until a SignalR client on
/// WebSockets receives it, one at a time.</item>
/// </list>
/// One operation is one request (or one event). Latencies and errors are printed at the end of each case as
/// <c>// LOAD</c> lines; throughput is 1 / mean.
/// </summary>
[Config(typeof(ShortInProcessConfig))]
public class ApiLoadBenchmarks
{
    private const int Connections = 64;
    private const int RequestsPerConnection = 20;
    private const int OrderCallers = 8;
    private const int OrdersPerCaller = 10;
    private const int SingleCallerOrders = 40;
    private const int Events = 100;

    private static readonly string[] Dow20 =
        ["AAPL", "AMGN", "AMZN", "AXP", "BA", "CAT", "CRM", "CSCO", "CVX", "DIS", "GS", "HD", "HON", "IBM", "JNJ", "JPM", "KO", "MCD", "MMM", "MRK"];

    private readonly ConcurrentBag<double> _latencies = [];
    private readonly ConcurrentDictionary<Guid, TaskCompletionSource> _awaitedEvents = new();
    private int _errors;
    private string _lastError = string.Empty;

    private ApiHost _host = null!;
    private HttpClient _anonymous = null!;
    private HttpClient _user = null!;
    private Guid _userId;
    private string _portfolioPath = null!;
    private string[] _orderPaths = null!;
    private string _singleCallerOrderPath = null!;
    private HubConnection _stream = null!;
    private SchedulerEvents _scheduler = null!;

    [GlobalSetup]
    public async Task SetupAsync()
    {
        _host = await ApiHost.StartAsync();
        var (userId, token) = await _host.CreateUserAsync();
        _userId = userId;
        _anonymous = _host.CreateLoadClient(Connections);
        _user = _host.CreateLoadClient(Connections, token);
        _portfolioPath = $"/api/v1/portfolios/{await _host.CreatePortfolioAsync(token, Dow20)}";
        _orderPaths = new string[OrderCallers];
        for (var i = 0; i < OrderCallers; i++)
        {
            _orderPaths[i] = $"/api/v1/portfolios/{await _host.CreatePortfolioAsync(token, [])}/orders";
        }

        _singleCallerOrderPath = $"/api/v1/portfolios/{await _host.CreatePortfolioAsync(token, [])}/orders";

        _stream = new HubConnectionBuilder()
            .WithUrl(new Uri(_host.Address, "/hubs/stream"), options =>
            {
                options.Transports = HttpTransportType.WebSockets;
                options.SkipNegotiation = true;
                options.AccessTokenProvider = () => Task.FromResult<string?>(token);
            })
            .Build();
        _stream.On<JsonElement>(OrderFilled.Kind, payload =>
        {
            if (_awaitedEvents.TryRemove(payload.GetProperty("order_id").GetGuid(), out var received))
            {
                received.TrySetResult();
            }
        });
        await _stream.StartAsync();
        _scheduler = await SchedulerEvents.ConnectAsync(_host.Redis);

        // Every path once before measuring: JIT, connection pools, EF's query cache.
        await Check(await _anonymous.GetAsync("/alive"));
        await Check(await _user.GetAsync(_portfolioPath));
        await Check(await _user.PostAsync(_orderPaths[0], MarketOrder()));
        await Check(await _user.PostAsync(_singleCallerOrderPath, MarketOrder()));
        await PublishAndReceiveAsync();
        _latencies.Clear();
        _errors = 0;
    }

    [Benchmark(Baseline = true, OperationsPerInvoke = Connections * RequestsPerConnection)]
    public Task BareEndpoint() => LoadAsync(Connections, RequestsPerConnection, _ => _anonymous.GetAsync("/alive"));

    [Benchmark(OperationsPerInvoke = Connections * RequestsPerConnection)]
    public Task GetPortfolio20Positions() => LoadAsync(Connections, RequestsPerConnection, _ => _user.GetAsync(_portfolioPath));

    [Benchmark(OperationsPerInvoke = OrderCallers * OrdersPerCaller)]
    public Task PostMarketOrder() => LoadAsync(OrderCallers, OrdersPerCaller, caller => _user.PostAsync(_orderPaths[caller], MarketOrder()));

    [Benchmark(OperationsPerInvoke = SingleCallerOrders)]
    public Task PostMarketOrderSingleCaller() => LoadAsync(1, SingleCallerOrders, _ => _user.PostAsync(_singleCallerOrderPath, MarketOrder()));

    [Benchmark(OperationsPerInvoke = Events)]
    public async Task SchedulerEventToSignalRClient()
    {
        for (var i = 0; i < Events; i++)
        {
            await PublishAndReceiveAsync();
        }
    }

    [GlobalCleanup]
    public async Task CleanupAsync()
    {
        var sorted = _latencies.Order().ToArray();
        Console.WriteLine($"// LOAD requests={sorted.Length} errors={_errors} p50={Percentile(sorted, 0.50):F2} ms p99={Percentile(sorted, 0.99):F2} ms max={(sorted.Length == 0 ? 0 : sorted[^1]):F2} ms {_lastError}");
        await _stream.DisposeAsync();
        await _scheduler.DisposeAsync();
        _anonymous.Dispose();
        _user.Dispose();
        await _host.DisposeAsync();
    }

    private async Task LoadAsync(int callers, int callsPerCaller, Func<int, Task<HttpResponseMessage>> call)
    {
        var workers = new Task[callers];
        for (var w = 0; w < callers; w++)
        {
            var caller = w;
            workers[w] = Task.Run(async () =>
            {
                for (var i = 0; i < callsPerCaller; i++)
                {
                    var started = Stopwatch.GetTimestamp();
                    using var response = await call(caller);
                    await response.Content.LoadIntoBufferAsync();
                    _latencies.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
                    await Check(response);
                }
            });
        }

        await Task.WhenAll(workers);
    }

    private async Task PublishAndReceiveAsync()
    {
        var fill = new OrderFilled(Guid.NewGuid(), Guid.NewGuid(), "AAPL", OrderSide.Buy, 1m, 190.25m, DateTimeOffset.UtcNow);
        var received = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _awaitedEvents[fill.OrderId] = received;
        var started = Stopwatch.GetTimestamp();
        await _scheduler.Publisher.PublishToUserAsync(_userId, fill, fill.ExecutedAt);
        if (await Task.WhenAny(received.Task, Task.Delay(TimeSpan.FromSeconds(10))) != received.Task)
        {
            _awaitedEvents.TryRemove(fill.OrderId, out _);
            Interlocked.Increment(ref _errors);
            _lastError = "an event was not received within 10 s";
            return;
        }

        _latencies.Add(Stopwatch.GetElapsedTime(started).TotalMilliseconds);
    }

    private async Task Check(HttpResponseMessage response)
    {
        if (!response.IsSuccessStatusCode)
        {
            Interlocked.Increment(ref _errors);
            _lastError = $"last error: {(int)response.StatusCode} {await response.Content.ReadAsStringAsync()}";
        }
    }

    private static StringContent MarketOrder() =>
        new("""{"symbol":"AAPL","side":"buy","type":"market","time_in_force":"day","qty":"1"}""", Encoding.UTF8, "application/json");

    private static double Percentile(double[] sorted, double p) => sorted.Length == 0 ? 0 : sorted[Math.Min(sorted.Length - 1, (int)(p * sorted.Length))];
}
