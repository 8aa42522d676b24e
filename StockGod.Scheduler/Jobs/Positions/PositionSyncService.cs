using System.Globalization;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using StockGod.Scheduler.Monitoring;
using StockGod.Trading.Brokerage;
using StockGod.Trading.Domain;
using StockGod.Trading.Domain.Notifications;
using StockGod.Trading.Domain.Portfolios;
using StockGod.Trading.Domain.Reconciliation;
using StockGod.Trading.Persistence;

namespace StockGod.Scheduler.Jobs.Positions;

/// <summary>
/// position_sync: every portfolio's positions against its broker's, the broker being the source of truth (as in
/// nautilus_trader's reconciliation). Missing positions are added, quantity and average entry price corrected, closed
/// ones removed, and each difference is recorded as a resolved <see cref="PositionDiscrepancy"/> (ours before, the
/// broker's after) and notified to the owner, in the same transaction as the fix.
/// <para>
/// What it never does: treat a failed broker call as "flat" (the portfolio is skipped and counted); touch a symbol with
/// an order in flight (open, or updated since the broker was asked: the fill may be at the broker but not booked yet,
/// and order_status_check books it through the order, so correcting here would count it twice); or reconcile an
/// Alpaca account that several portfolios share (its positions cannot be attributed to one of them).
/// </para>
/// <para>
/// Cash: the broker account's cash is taken too, when the account belongs to this portfolio alone and nothing is in
/// flight — the simulated exchange keeps one account per portfolio and commissions default to zero as at Alpaca, so
/// its cash is the portfolio's cash. A cash correction is notified and counted; position_discrepancies has no cash row.
/// </para>
/// Holdings are read for 500 portfolios at a time where the broker can (the simulated exchange: one statement for all
/// the accounts with no open order), otherwise one call per portfolio (positions and account together); portfolios are
/// then checked with bounded parallelism, and one whose positions already match costs no write. One
/// broker failing does not stop the others; if every portfolio's broker failed the run fails, so the circuit breaker
/// sees a broker that is down.
/// </summary>
internal sealed partial class PositionSyncService(
    TradingDbContext db,
    IDbContextFactory<TradingDbContext> contexts,
    IBrokerageGatewayFactory gateways,
    TimeProvider time,
    ILogger<PositionSyncService> logger)
{
    /// <summary>Portfolios reconciled at once: each holds a database connection (and the simulated exchange another).</summary>
    public const int MaxParallelPortfolios = 8;

    /// <summary>Portfolios whose holdings are asked of the broker together, where it can answer that way.</summary>
    public const int ReadTogetherChunkSize = 500;

    private static readonly string[] CounterNames =
    [
        "portfolios_checked", "positions_checked", "discrepancies_fixed", "broker_failures",
        "cash_corrected", "positions_deferred", "portfolios_skipped",
    ];

    public async Task SyncPositionsAsync(JobCounters counters, CancellationToken cancellationToken)
    {
        foreach (var name in CounterNames)
        {
            counters.Add(name, 0);
        }

        var portfolios = await db.Portfolios.AsNoTracking()
            .Select(p => new PortfolioState(p.Id, p.OwnerUserId, p.TradingMode, p.Cash))
            .ToListAsync(cancellationToken);
        var held = (await db.Positions.AsNoTracking()
                .Select(p => new HeldPosition(p.PortfolioId, p.Symbol, p.Quantity, p.AverageEntryPrice))
                .ToListAsync(cancellationToken))
            .ToLookup(p => p.PortfolioId);

        var eligible = new List<PortfolioState>(portfolios.Count);
        foreach (var account in portfolios.GroupBy(AccountOf))
        {
            var first = account.First();
            if (!gateways.IsAvailable(first.Mode))
            {
                counters.Add("portfolios_skipped", account.Count());
                LogModeUnavailable(first.Mode, account.Count());
            }
            else if (first.Mode != TradingMode.Simulated && account.Skip(1).Any())
            {
                counters.Add("portfolios_skipped", account.Count());
                LogSharedAccount(first.Mode, account.Count());
            }
            else
            {
                eligible.AddRange(account);
            }
        }

        var failures = 0;
        foreach (var chunk in eligible.Chunk(ReadTogetherChunkSize))
        {
            var askedAt = time.GetUtcNow();
            var readTogether = await ReadTogetherAsync(chunk, cancellationToken);
            await Parallel.ForEachAsync(
                chunk,
                new ParallelOptions { MaxDegreeOfParallelism = MaxParallelPortfolios, CancellationToken = cancellationToken },
                async (portfolio, ct) =>
                {
                    (BrokerHoldings, DateTimeOffset)? alreadyRead = readTogether.TryGetValue(portfolio.Id, out var holdings) ? (holdings, askedAt) : null;
                    if (!await SyncPortfolioAsync(portfolio, [.. held[portfolio.Id]], alreadyRead, counters, ct))
                    {
                        Interlocked.Increment(ref failures);
                    }
                });
        }

        if (failures > 0 && failures == eligible.Count)
        {
            throw new InvalidOperationException($"The broker failed for every portfolio ({failures}).");
        }
    }

    /// <summary>
    /// The holdings the brokers can give for many portfolios at once (the simulated exchange's accounts with no open
    /// order). A failure here only means each portfolio is asked on its own, where a failure is counted.
    /// </summary>
    private async Task<Dictionary<Guid, BrokerHoldings>> ReadTogetherAsync(IReadOnlyList<PortfolioState> portfolios, CancellationToken cancellationToken)
    {
        var read = new Dictionary<Guid, BrokerHoldings>();
        foreach (var mode in portfolios.GroupBy(p => p.Mode))
        {
            try
            {
                foreach (var (portfolioId, holdings) in await gateways.ReadHoldingsTogetherAsync(mode.Key, [.. mode.Select(p => p.Id)], cancellationToken))
                {
                    read[portfolioId] = holdings;
                }
            }
            catch (Exception failure) when (IsBrokerFailure(failure, cancellationToken))
            {
                LogReadTogetherFailed(failure, mode.Key);
            }
        }

        return read;
    }

    /// <summary>
    /// Returns false when the broker could not be asked; the portfolio is then left exactly as it was.
    /// <paramref name="alreadyRead"/>: its holdings read together with other portfolios', and when that read began.
    /// </summary>
    private async Task<bool> SyncPortfolioAsync(
        PortfolioState portfolio, IReadOnlyList<HeldPosition> local, (BrokerHoldings Holdings, DateTimeOffset AskedAt)? alreadyRead, JobCounters counters, CancellationToken cancellationToken)
    {
        var askedAt = alreadyRead?.AskedAt ?? time.GetUtcNow();
        BrokerState broker;
        try
        {
            var holdings = alreadyRead?.Holdings ?? await gateways.For(portfolio.Id, portfolio.Mode).GetHoldingsAsync(cancellationToken);
            broker = new BrokerState(holdings.Positions.ToDictionary(p => Symbols.Normalize(p.Symbol), StringComparer.Ordinal), holdings.Account.Cash);
        }
        catch (Exception failure) when (IsBrokerFailure(failure, cancellationToken))
        {
            counters.Add("broker_failures");
            LogBrokerFailed(failure, portfolio.Id);
            return false;
        }

        counters.Add("portfolios_checked");
        counters.Add("positions_checked", local.Select(p => p.Symbol).Union(broker.Positions.Keys, StringComparer.Ordinal).Count());

        // Most runs find nothing to fix: compare with what was read at the start and write only when something differs.
        var differs = DecimalRounding.Money(broker.Cash) != portfolio.Cash
            || local.Count != broker.Positions.Count
            || local.Any(p => !Matches(p.Quantity, p.AverageEntryPrice, broker.Positions.GetValueOrDefault(p.Symbol)));
        if (differs)
        {
            await CorrectAsync(portfolio.Id, portfolio.OwnerUserId, broker, askedAt, counters, cancellationToken);
        }

        return true;
    }

    /// <summary>Applies the broker's state under the portfolio's row lock, re-reading ours after the lock is held.</summary>
    private async Task CorrectAsync(Guid portfolioId, Guid ownerUserId, BrokerState broker, DateTimeOffset askedAt, JobCounters counters, CancellationToken cancellationToken)
    {
        await using var context = await contexts.CreateDbContextAsync(cancellationToken);
        await using var transaction = await context.Database.BeginTransactionAsync(cancellationToken);
        if (await context.LockPortfolioAsync(portfolioId, cancellationToken) is not { } portfolio)
        {
            return; // deleted since the run started
        }

        var inFlight = (await context.Orders
                .Where(o => o.PortfolioId == portfolioId && (OrderStatusExtensions.OpenStatuses.Contains(o.Status) || o.UpdatedAt >= askedAt))
                .Select(o => o.Symbol)
                .Distinct()
                .ToListAsync(cancellationToken))
            .ToHashSet(StringComparer.Ordinal);

        var now = time.GetUtcNow();
        var corrections = new List<PositionCorrection>();
        var symbols = portfolio.Positions.Select(p => p.Symbol).Union(broker.Positions.Keys, StringComparer.Ordinal).ToList();
        foreach (var symbol in symbols)
        {
            var theirs = broker.Positions.GetValueOrDefault(symbol);
            var ours = portfolio.PositionFor(symbol);
            if (Matches(ours?.Quantity ?? 0m, ours?.AverageEntryPrice, theirs))
            {
                continue;
            }

            if (inFlight.Contains(symbol) || theirs is { AverageEntryPrice: <= 0 })
            {
                counters.Add("positions_deferred");
                LogDeferred(symbol, portfolioId);
                continue;
            }

            var correction = portfolio.CorrectPosition(Guid.CreateVersion7(now), symbol, theirs?.Quantity ?? 0m, theirs?.AverageEntryPrice ?? 0m, now)!;
            corrections.Add(correction);
            context.PositionDiscrepancies.Add(PositionDiscrepancy.Corrected(Guid.CreateVersion7(now), portfolioId, correction, now));
        }

        // Cash moves with every fill, so it is only taken when no order of the portfolio is in flight.
        var cashBefore = inFlight.Count == 0 ? portfolio.CorrectCash(broker.Cash, now) : null;
        if (corrections.Count == 0 && cashBefore is null)
        {
            return;
        }

        context.Notifications.Add(Notify(portfolio, ownerUserId, corrections, cashBefore, now));
        await context.SaveChangesAsync(cancellationToken);
        await transaction.CommitAsync(cancellationToken);

        counters.Add("discrepancies_fixed", corrections.Count);
        if (cashBefore is { } before)
        {
            counters.Add("cash_corrected");
            LogCashCorrected(portfolioId, before, portfolio.Cash);
        }

        foreach (var c in corrections)
        {
            LogCorrected(portfolioId, c.Symbol, c.LocalQuantity, c.LocalAverageEntryPrice, c.BrokerQuantity, c.BrokerAverageEntryPrice);
        }
    }

    /// <summary>Whether our holding (quantity 0 for none) equals the broker's, at the precision the domain keeps.</summary>
    private static bool Matches(decimal quantity, decimal? averageEntryPrice, BrokerPosition? broker) => broker is null
        ? quantity == 0
        : DecimalRounding.Quantity(broker.Quantity) == quantity && DecimalRounding.Price(broker.AverageEntryPrice) == averageEntryPrice;

    private static Notification Notify(Portfolio portfolio, Guid ownerUserId, IReadOnlyList<PositionCorrection> corrections, decimal? cashBefore, DateTimeOffset now)
    {
        var changes = corrections.Select(c => $"{c.Symbol}: {Describe(c.LocalQuantity, c.LocalAverageEntryPrice)} → {Describe(c.BrokerQuantity, c.BrokerAverageEntryPrice)}").ToList();
        if (cashBefore is { } before)
        {
            changes.Add($"cash: {DecimalRounding.Format(before)} → {DecimalRounding.Format(portfolio.Cash)}");
        }

        var data = JsonSerializer.SerializeToDocument(new Dictionary<string, object?>
        {
            ["portfolio_id"] = portfolio.Id,
            ["corrections"] = corrections.Select(c => new Dictionary<string, object?>
            {
                ["symbol"] = c.Symbol,
                ["local_quantity"] = c.LocalQuantity,
                ["local_average_entry_price"] = c.LocalAverageEntryPrice,
                ["broker_quantity"] = c.BrokerQuantity,
                ["broker_average_entry_price"] = c.BrokerAverageEntryPrice,
            }).ToList(),
            ["cash_before"] = cashBefore,
            ["cash_after"] = cashBefore is null ? null : portfolio.Cash,
        });
        return new Notification(
            Guid.CreateVersion7(now), ownerUserId, "positions.corrected", $"{portfolio.Name}: holdings corrected from the broker",
            $"The broker's records differed from ours and were taken: {string.Join("; ", changes)}.", data, now);
    }

    private static string Describe(decimal quantity, decimal? averageEntryPrice) => averageEntryPrice is { } price
        ? string.Create(CultureInfo.InvariantCulture, $"{DecimalRounding.Format(quantity)} at {DecimalRounding.Format(price)}")
        : "none";

    /// <summary>The broker account a portfolio trades: its own on the simulated exchange, the platform's per Alpaca mode.</summary>
    private static (TradingMode Mode, Guid? Portfolio) AccountOf(PortfolioState portfolio) =>
        portfolio.Mode == TradingMode.Simulated ? (portfolio.Mode, portfolio.Id) : (portfolio.Mode, null);

    private static bool IsBrokerFailure(Exception failure, CancellationToken cancellationToken) => failure switch
    {
        BrokerageException or TimeoutException or HttpRequestException => true,
        OperationCanceledException => !cancellationToken.IsCancellationRequested,
        _ => false,
    };

    private sealed record PortfolioState(Guid Id, Guid OwnerUserId, TradingMode Mode, decimal Cash);

    private sealed record HeldPosition(Guid PortfolioId, string Symbol, decimal Quantity, decimal AverageEntryPrice);

    private sealed record BrokerState(IReadOnlyDictionary<string, BrokerPosition> Positions, decimal Cash);

    [LoggerMessage(LogLevel.Warning, "Broker call failed for portfolio {PortfolioId}; its positions are left as they are until the next run")]
    private partial void LogBrokerFailed(Exception failure, Guid portfolioId);

    [LoggerMessage(LogLevel.Information, "Reading {Mode} holdings together failed; each portfolio is asked on its own")]
    private partial void LogReadTogetherFailed(Exception failure, TradingMode mode);

    [LoggerMessage(LogLevel.Warning, "{Count} {Mode} portfolios share one Alpaca account: their positions cannot be attributed, so they are not synced")]
    private partial void LogSharedAccount(TradingMode mode, int count);

    [LoggerMessage(LogLevel.Warning, "{Count} {Mode} portfolios have no configured broker; they are not synced")]
    private partial void LogModeUnavailable(TradingMode mode, int count);

    [LoggerMessage(LogLevel.Information, "{Symbol} of portfolio {PortfolioId} differs from the broker with an order in flight (or an unusable broker figure); checked again next run")]
    private partial void LogDeferred(string symbol, Guid portfolioId);

    [LoggerMessage(LogLevel.Warning, "Corrected {Symbol} of portfolio {PortfolioId} to the broker's: {LocalQuantity} at {LocalPrice} -> {BrokerQuantity} at {BrokerPrice}")]
    private partial void LogCorrected(Guid portfolioId, string symbol, decimal localQuantity, decimal? localPrice, decimal brokerQuantity, decimal? brokerPrice);

    [LoggerMessage(LogLevel.Warning, "Corrected the cash of portfolio {PortfolioId} to the broker's: {Before} -> {After}")]
    private partial void LogCashCorrected(Guid portfolioId, decimal before, decimal after);
}
