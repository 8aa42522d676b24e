using System.Data;
using Microsoft.EntityFrameworkCore;
using Npgsql;
using NpgsqlTypes;
using StockGod.Scheduler.Monitoring;
using StockGod.Trading.Persistence;

namespace StockGod.Scheduler.Jobs.Snapshots;

/// <summary>
/// portfolio_snapshot: one snapshot per portfolio for a trading date (total = cash + positions valued at their last
/// prices, cost basis where none is known — as <see cref="Trading.Domain.Snapshots.PortfolioSnapshot.Of"/> computes it).
/// INSERT … SELECT inside PostgreSQL instead of loading the portfolios, one statement per chunk of portfolios in id
/// order: a chunk reads only its own positions (an index range scan) and commits on its own, so no statement runs long
/// enough to hit a command timeout on a busy server, and a run that fails part-way is finished by the next.
/// Idempotent: ON CONFLICT on the unique (portfolio, date) index leaves a portfolio that already has the date's
/// snapshot alone (one index probe each, also settling a race with another run). No NOT EXISTS beside it: with
/// statistics saying portfolio_snapshots was empty PostgreSQL ran it as a nested loop re-scanning the table being
/// filled, 528 s for 100,000 portfolios (EXPLAIN ANALYZE in docs/benchmarks.md).
/// </summary>
internal sealed class PortfolioSnapshotService(TradingDbContext db, TimeProvider time, int chunkSize = PortfolioSnapshotService.DefaultChunkSize)
{
    /// <summary>Portfolios per statement.</summary>
    public const int DefaultChunkSize = 10_000;

    /// <summary>Per statement; one chunk takes well under a second on an idle server.</summary>
    private static readonly TimeSpan ChunkTimeout = TimeSpan.FromMinutes(2);

    // Ids are UUIDv7 like Guid.CreateVersion7 (the snapshot time's milliseconds, then random bits), so the index stays
    // ordered. The chunk's last id is the next chunk's lower bound (PostgreSQL 15 has no max(uuid)).
    private const string InsertChunkSql =
        """
        WITH chunk AS (
            SELECT id, cash, realized_profit_loss FROM portfolios WHERE id > @after ORDER BY id LIMIT @size
        ), last AS (
            SELECT id FROM chunk ORDER BY id DESC LIMIT 1
        ), valued AS (
            SELECT portfolio_id, sum(COALESCE(market_value, cost_basis)) AS value, count(*)::int AS count
            FROM positions
            WHERE portfolio_id > @after AND portfolio_id <= (SELECT id FROM last)
            GROUP BY portfolio_id
        ), created AS (
            INSERT INTO portfolio_snapshots (id, portfolio_id, trading_date, total_value, cash, positions_value, realized_profit_loss, position_count, taken_at)
            SELECT encode(set_bit(set_bit(overlay(uuid_send(gen_random_uuid()) PLACING substring(int8send(@unix_ms) FROM 3) FROM 1 FOR 6), 52, 1), 53, 1), 'hex')::uuid,
                   c.id, @date, c.cash + COALESCE(v.value, 0), c.cash, COALESCE(v.value, 0), c.realized_profit_loss, COALESCE(v.count, 0), @now
            FROM chunk c
            LEFT JOIN valued v ON v.portfolio_id = c.id
            ON CONFLICT (portfolio_id, trading_date) DO NOTHING
            RETURNING 1
        )
        SELECT (SELECT id FROM last), (SELECT count(*)::int FROM created)
        """;

    public async Task TakeSnapshotsAsync(DateOnly tradingDate, JobCounters counters, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var connection = (NpgsqlConnection)db.Database.GetDbConnection();
        await db.Database.OpenConnectionAsync(cancellationToken);
        try
        {
            var after = Guid.Empty; // below every uuid
            var created = 0;
            while (true)
            {
                await using var command = new NpgsqlCommand(InsertChunkSql, connection) { CommandTimeout = (int)ChunkTimeout.TotalSeconds };
                command.Parameters.Add(new NpgsqlParameter<Guid>("after", NpgsqlDbType.Uuid) { TypedValue = after });
                command.Parameters.Add(new NpgsqlParameter<int>("size", NpgsqlDbType.Integer) { TypedValue = chunkSize });
                command.Parameters.Add(new NpgsqlParameter<long>("unix_ms", NpgsqlDbType.Bigint) { TypedValue = now.ToUnixTimeMilliseconds() });
                command.Parameters.Add(new NpgsqlParameter<DateOnly>("date", NpgsqlDbType.Date) { TypedValue = tradingDate });
                command.Parameters.Add(new NpgsqlParameter<DateTimeOffset>("now", NpgsqlDbType.TimestampTz) { TypedValue = now });
                await using var reader = await command.ExecuteReaderAsync(CommandBehavior.SingleRow, cancellationToken);
                await reader.ReadAsync(cancellationToken);
                if (await reader.IsDBNullAsync(0, cancellationToken))
                {
                    break; // no portfolio after the last chunk
                }

                after = reader.GetGuid(0);
                created += reader.GetInt32(1);
            }

            counters.Add("portfolios_processed", created);
            counters.Add("snapshots_created", created);
        }
        finally
        {
            await db.Database.CloseConnectionAsync();
        }
    }
}
