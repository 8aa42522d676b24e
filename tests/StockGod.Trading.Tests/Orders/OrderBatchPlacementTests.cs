using Microsoft.EntityFrameworkCore;
using StockGod.Testing;
using StockGod.Trading.Brokerage;
using StockGod.Trading.Domain;
using StockGod.Trading.Domain.Orders;
using StockGod.Trading.Domain.Portfolios;
using StockGod.Trading.Execution;
using StockGod.Trading.Tests.Persistence;

namespace StockGod.Trading.Tests.Orders;

/// <summary>
/// One portfolio's orders placed as a batch (as strategy_execution places a firing's orders): saved with their
/// client_order_ids in one transaction before the broker sees any, taken by the simulated exchange in one call,
/// recorded in one transaction; retried batches place nothing twice; one refusal does not cost the others.
/// </summary>
public sealed class OrderBatchPlacementTests(TradingDatabaseFixture database) : IClassFixture<TradingDatabaseFixture>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    private async Task<(OrderExecutionHarness Harness, Guid PortfolioId)> StartAsync(decimal cash = 100_000m)
    {
        var harness = new OrderExecutionHarness(database);
        harness.Exchange.Market.Set("AAPL", bid: 99.90m, ask: 100.10m, last: 100m);
        harness.Exchange.Market.Set("MSFT", bid: 199.90m, ask: 200.10m, last: 200m);
        harness.Exchange.Market.Set("KO", bid: 59.90m, ask: 60.10m, last: 60m);
        await using var db = database.CreateDbContext();
        return (harness, (await Seed.PortfolioAsync(db, cash)).Id);
    }

    private static PlaceOrder Market(Guid portfolioId, string symbol, OrderSide side, decimal quantity, string clientOrderId) =>
        new(portfolioId, symbol, side, OrderType.Market, TimeInForce.Day, quantity, ClientOrderId: clientOrderId);

    private async Task<Portfolio> PortfolioAsync(Guid id)
    {
        await using var db = database.CreateDbContext();
        return await db.Portfolios.Include(p => p.Positions).SingleAsync(p => p.Id == id, Ct);
    }

    private async Task<int> BrokerOrderCountAsync(string clientOrderId)
    {
        await using var db = database.CreateDbContext();
        return await db.Database.SqlQuery<int>($"SELECT count(*)::int AS \"Value\" FROM sim_orders WHERE client_order_id = {clientOrderId}").SingleAsync(Ct);
    }

    [Fact]
    public async Task Every_order_of_the_batch_is_saved_with_its_client_order_id_before_the_exchange_takes_them_in_one_call()
    {
        var (harness, portfolioId) = await StartAsync();
        BatchRecorder? recorder = null;
        harness.Wrap = inner => recorder = new BatchRecorder(inner, database);
        var (placement, _, db) = harness.CreateServices();
        await using var _ = db;
        PlaceOrder[] batch =
        [
            Market(portfolioId, "AAPL", OrderSide.Buy, 10m, "batch-aapl"),
            Market(portfolioId, "MSFT", OrderSide.Buy, 5m, "batch-msft"),
            Market(portfolioId, "KO", OrderSide.Buy, 20m, "batch-ko"),
        ];

        var results = await placement.PlaceBatchAsync(portfolioId, batch, Ct);

        Assert.Equal(1, recorder!.BatchCalls);
        Assert.Equal(0, recorder.SingleCalls);
        // What the database held at the moment the exchange was called: all three, pending_new, under their ids.
        Assert.Equal(
            [("batch-aapl", OrderStatus.PendingNew), ("batch-ko", OrderStatus.PendingNew), ("batch-msft", OrderStatus.PendingNew)],
            recorder.SavedWhenSent.Order());
        Assert.All(results, r => Assert.Equal((OrderStatus.Filled, false, (DomainException?)null), (r.Order!.Status, r.AlreadyExisted, r.Refusal)));
        Assert.Equal(["batch-aapl", "batch-msft", "batch-ko"], results.Select(r => r.Order!.ClientOrderId));
        Assert.All(results, r => Assert.Equal(r.Command.Quantity, Assert.Single(r.Order!.Fills).Quantity));
        var portfolio = await PortfolioAsync(portfolioId);
        Assert.Equal(100_000m - 1_001m - 1_000.50m - 1_202m, portfolio.Cash);
        Assert.Equal(
            [("AAPL", 10m), ("KO", 20m), ("MSFT", 5m)],
            portfolio.Positions.Select(p => (p.Symbol, p.Quantity)).Order());
        foreach (var order in batch)
        {
            Assert.Equal(1, await BrokerOrderCountAsync(order.ClientOrderId!));
        }
    }

    [Fact]
    public async Task A_retried_batch_after_a_crash_between_sending_and_recording_places_nothing_twice()
    {
        var (harness, portfolioId) = await StartAsync();
        harness.Wrap = inner => new DiesAfterBatch(inner);
        var (placement, _, db) = harness.CreateServices();
        await using var _ = db;
        PlaceOrder[] batch =
        [
            Market(portfolioId, "AAPL", OrderSide.Buy, 10m, "retry-aapl"),
            Market(portfolioId, "MSFT", OrderSide.Buy, 5m, "retry-msft"),
        ];

        await Assert.ThrowsAsync<ProcessKilledException>(() => placement.PlaceBatchAsync(portfolioId, batch, Ct));
        harness.Wrap = inner => inner;

        // The retried firing: the same ids answer the orders saved before the crash; nothing new is saved or sent.
        var retried = await placement.PlaceBatchAsync(portfolioId, batch, Ct);
        Assert.All(retried, r => Assert.Equal((true, OrderStatus.PendingNew), (r.AlreadyExisted, r.Order!.Status)));
        Assert.Equal(100_000m, (await PortfolioAsync(portfolioId)).Cash);

        // Resuming finds each at the broker by client_order_id and books it once.
        foreach (var result in retried)
        {
            Assert.Equal(OrderStatus.Filled, (await placement.ResumeAsync(result.Order!.Id, Ct)).Status);
        }

        var again = await placement.PlaceBatchAsync(portfolioId, batch, Ct);
        Assert.All(again, r => Assert.Equal((true, OrderStatus.Filled), (r.AlreadyExisted, r.Order!.Status)));
        Assert.Equal(1, await BrokerOrderCountAsync("retry-aapl"));
        Assert.Equal(1, await BrokerOrderCountAsync("retry-msft"));
        var portfolio = await PortfolioAsync(portfolioId);
        Assert.Equal(100_000m - 1_001m - 1_000.50m, portfolio.Cash);
        await using var check = database.CreateDbContext();
        Assert.Equal(2, await check.Fills.CountAsync(f => f.PortfolioId == portfolioId, Ct));
    }

    [Fact]
    public async Task Orders_refused_before_sending_or_by_the_exchange_do_not_cost_the_others_of_the_batch()
    {
        var (harness, portfolioId) = await StartAsync(cash: 100_000m);
        var (placement, _, db) = harness.CreateServices();
        await using var _ = db;
        PlaceOrder[] batch =
        [
            Market(portfolioId, "AAPL", OrderSide.Buy, 600m, "mixed-aapl"),
            // Nothing held: refused before anything is saved.
            Market(portfolioId, "KO", OrderSide.Sell, 5m, "mixed-ko-sell"),
            // 50,025 is more than the 39,940 the first order left: the exchange refuses it, counting the first one's reservation.
            Market(portfolioId, "MSFT", OrderSide.Buy, 250m, "mixed-msft-too-much"),
            // Unknown to the exchange.
            Market(portfolioId, "NOPE", OrderSide.Buy, 1m, "mixed-unknown"),
            Market(portfolioId, "KO", OrderSide.Buy, 100m, "mixed-ko"),
        ];

        var results = await placement.PlaceBatchAsync(portfolioId, batch, Ct);

        Assert.Equal((OrderStatus.Filled, 600m), (results[0].Order!.Status, results[0].Order!.FilledQuantity));
        Assert.IsType<InsufficientPositionException>(results[1].Refusal);
        Assert.Null(results[1].Order);
        Assert.Equal(OrderStatus.Rejected, results[2].Order!.Status);
        Assert.Contains("insufficient buying power", results[2].Order!.RejectReason, StringComparison.Ordinal);
        Assert.Equal(OrderStatus.Rejected, results[3].Order!.Status);
        Assert.Contains("not found", results[3].Order!.RejectReason, StringComparison.Ordinal);
        Assert.Equal((OrderStatus.Filled, 100m), (results[4].Order!.Status, results[4].Order!.FilledQuantity));

        var portfolio = await PortfolioAsync(portfolioId);
        Assert.Equal(100_000m - 60_060m - 6_010m, portfolio.Cash);
        Assert.Equal([("AAPL", 600m), ("KO", 100m)], portfolio.Positions.Select(p => (p.Symbol, p.Quantity)).Order());
        await using var check = database.CreateDbContext();
        var recorded = await check.Orders.Where(o => o.PortfolioId == portfolioId).Select(o => new { o.ClientOrderId, o.Status }).ToListAsync(Ct);
        Assert.Equal(
            [("mixed-aapl", OrderStatus.Filled), ("mixed-ko", OrderStatus.Filled), ("mixed-msft-too-much", OrderStatus.Rejected), ("mixed-unknown", OrderStatus.Rejected)],
            recorded.Select(o => (o.ClientOrderId, o.Status)).Order());
    }

    [Fact]
    public async Task The_default_batch_of_a_gateway_without_one_sends_one_by_one_and_keeps_each_answer()
    {
        var (harness, portfolioId) = await StartAsync();
        FlakyGateway? flaky = null;
        // Not a batch-capable gateway (as Alpaca): the interface's default sends each order on its own; the first
        // order's answer is lost (a timeout after the broker took it), the second goes through.
        var lost = "default-aapl";
        harness.Wrap = inner => flaky = new FlakyGateway(new LosesAnswerFor(inner, lost));
        var (placement, _, db) = harness.CreateServices();
        await using var _ = db;

        var results = await placement.PlaceBatchAsync(
            portfolioId, [Market(portfolioId, "AAPL", OrderSide.Buy, 2m, lost), Market(portfolioId, "MSFT", OrderSide.Buy, 1m, "default-msft")], Ct);

        Assert.Equal(2, flaky!.Submits);
        Assert.All(results, r => Assert.Equal(OrderStatus.Filled, r.Order!.Status));
        Assert.Equal(1, await BrokerOrderCountAsync(lost));
        Assert.Equal(100_000m - 200.20m - 200.10m, (await PortfolioAsync(portfolioId)).Cash);
    }

    /// <summary>Records what the database holds when the batch reaches the exchange, and how the gateway was called.</summary>
    private sealed class BatchRecorder(IBrokerageGateway inner, TradingDatabaseFixture database) : ForwardingGateway(inner)
    {
        public int BatchCalls { get; private set; }

        public int SingleCalls { get; private set; }

        public List<(string ClientOrderId, OrderStatus Status)> SavedWhenSent { get; } = [];

        public override async Task<IReadOnlyList<OrderSubmission>> SubmitOrdersAsync(IReadOnlyList<SubmitOrderRequest> requests, CancellationToken cancellationToken = default)
        {
            BatchCalls++;
            var ids = requests.Select(r => r.ClientOrderId).ToList();
            await using (var db = database.CreateDbContext())
            {
                var saved = await db.Orders.Where(o => ids.Contains(o.ClientOrderId)).Select(o => new { o.ClientOrderId, o.Status }).ToListAsync(cancellationToken);
                SavedWhenSent.AddRange(saved.Select(o => (o.ClientOrderId, o.Status)));
            }

            return await base.SubmitOrdersAsync(requests, cancellationToken);
        }

        public override Task<BrokerOrder> SubmitOrderAsync(SubmitOrderRequest request, CancellationToken cancellationToken = default)
        {
            SingleCalls++;
            return base.SubmitOrderAsync(request, cancellationToken);
        }
    }

    /// <summary>The exchange takes the whole batch, then the process dies before it reads the answer.</summary>
    private sealed class DiesAfterBatch(IBrokerageGateway inner) : ForwardingGateway(inner)
    {
        public override async Task<IReadOnlyList<OrderSubmission>> SubmitOrdersAsync(IReadOnlyList<SubmitOrderRequest> requests, CancellationToken cancellationToken = default)
        {
            await base.SubmitOrdersAsync(requests, cancellationToken);
            throw new ProcessKilledException();
        }
    }

    /// <summary>Takes every order but loses the answer for one client_order_id (a timeout after the broker accepted it).</summary>
    private sealed class LosesAnswerFor(IBrokerageGateway inner, string clientOrderId) : ForwardingGateway(inner)
    {
        public override async Task<BrokerOrder> SubmitOrderAsync(SubmitOrderRequest request, CancellationToken cancellationToken = default)
        {
            var order = await base.SubmitOrderAsync(request, cancellationToken);
            return request.ClientOrderId == clientOrderId ? throw new TimeoutException("The broker did not answer in time.") : order;
        }
    }

    private sealed class ProcessKilledException() : Exception("The process was killed.");
}
