using System;
using System.Collections.Generic;
using System.Text.Json;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace StockGod.Trading.Persistence.Migrations
{
    /// <inheritdoc />
    public partial class ReconciliationScreeningAndBacktests : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropCheckConstraint(
                name: "ck_position_discrepancies_differs",
                table: "position_discrepancies");

            migrationBuilder.DropCheckConstraint(
                name: "ck_position_discrepancies_kind",
                table: "position_discrepancies");

            migrationBuilder.CreateTable(
                name: "backtest_runs",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    owner_user_id = table.Column<Guid>(type: "uuid", nullable: false),
                    strategy_type = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    parameters = table.Column<JsonDocument>(type: "jsonb", nullable: false),
                    universe = table.Column<List<string>>(type: "text[]", nullable: false),
                    start_date = table.Column<DateOnly>(type: "date", nullable: false),
                    end_date = table.Column<DateOnly>(type: "date", nullable: false),
                    initial_cash = table.Column<decimal>(type: "numeric(28,8)", nullable: false),
                    slippage_bps = table.Column<decimal>(type: "numeric(12,8)", nullable: false),
                    commission_per_share = table.Column<decimal>(type: "numeric(28,8)", nullable: false),
                    commission_minimum = table.Column<decimal>(type: "numeric(28,8)", nullable: false),
                    commission_max_share_of_value = table.Column<decimal>(type: "numeric(12,8)", nullable: false),
                    risk_free_rate = table.Column<decimal>(type: "numeric(12,8)", nullable: false),
                    status = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    days_done = table.Column<int>(type: "integer", nullable: false),
                    total_days = table.Column<int>(type: "integer", nullable: false),
                    cancel_requested = table.Column<bool>(type: "boolean", nullable: false),
                    attempts = table.Column<int>(type: "integer", nullable: false),
                    lease_owner = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: true),
                    lease_expires_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    error = table.Column<string>(type: "character varying(4000)", maxLength: 4000, nullable: true),
                    created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    started_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    finished_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    updated_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    xmin = table.Column<uint>(type: "xid", rowVersion: true, nullable: false),
                    risk_cash_buffer_fraction = table.Column<decimal>(type: "numeric(12,8)", nullable: false),
                    risk_max_open_positions = table.Column<int>(type: "integer", nullable: false),
                    risk_max_order_value = table.Column<decimal>(type: "numeric(28,8)", nullable: false),
                    risk_max_position_fraction = table.Column<decimal>(type: "numeric(12,8)", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_backtest_runs", x => x.id);
                    table.CheckConstraint("ck_backtest_runs_dates", "end_date >= start_date");
                    table.CheckConstraint("ck_backtest_runs_finished_has_end", "status NOT IN ('completed', 'failed', 'canceled') OR finished_at IS NOT NULL");
                    table.CheckConstraint("ck_backtest_runs_initial_cash", "initial_cash > 0");
                    table.CheckConstraint("ck_backtest_runs_running_has_lease", "status <> 'running' OR (lease_owner IS NOT NULL AND lease_expires_at IS NOT NULL)");
                    table.CheckConstraint("ck_backtest_runs_status", "status IN ('queued', 'running', 'completed', 'failed', 'canceled')");
                    table.CheckConstraint("ck_backtest_runs_universe_not_empty", "cardinality(universe) > 0");
                    table.ForeignKey(
                        name: "fk_backtest_runs_users_owner_user_id",
                        column: x => x.owner_user_id,
                        principalTable: "users",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "screening_runs",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    as_of = table.Column<DateOnly>(type: "date", nullable: false),
                    settings = table.Column<string>(type: "jsonb", nullable: false),
                    chunk_size = table.Column<int>(type: "integer", nullable: false),
                    chunk_count = table.Column<int>(type: "integer", nullable: false),
                    requested_by = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: false),
                    status = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    finished_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    failure_reason = table.Column<string>(type: "character varying(4000)", maxLength: 4000, nullable: true),
                    report = table.Column<string>(type: "jsonb", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_screening_runs", x => x.id);
                    table.CheckConstraint("ck_screening_runs_completed_has_report", "status <> 'completed' OR report IS NOT NULL");
                    table.CheckConstraint("ck_screening_runs_finished", "(status = 'running') = (finished_at IS NULL)");
                    table.CheckConstraint("ck_screening_runs_status", "status IN ('running', 'completed', 'failed')");
                });

            migrationBuilder.CreateTable(
                name: "backtest_results",
                columns: table => new
                {
                    run_id = table.Column<Guid>(type: "uuid", nullable: false),
                    statistics = table.Column<string>(type: "jsonb", nullable: false),
                    benchmark_statistics = table.Column<string>(type: "jsonb", nullable: false),
                    equity_curve = table.Column<string>(type: "jsonb", nullable: false),
                    benchmark_equity_curve = table.Column<string>(type: "jsonb", nullable: false),
                    daily_returns = table.Column<string>(type: "jsonb", nullable: false),
                    benchmark_daily_returns = table.Column<string>(type: "jsonb", nullable: false),
                    trades = table.Column<string>(type: "jsonb", nullable: false),
                    fills = table.Column<string>(type: "jsonb", nullable: false),
                    unfilled_orders = table.Column<string>(type: "jsonb", nullable: false),
                    missing_symbols = table.Column<string>(type: "jsonb", nullable: false),
                    bars_processed = table.Column<long>(type: "bigint", nullable: false),
                    created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_backtest_results", x => x.run_id);
                    table.ForeignKey(
                        name: "fk_backtest_results_backtest_runs_run_id",
                        column: x => x.run_id,
                        principalTable: "backtest_runs",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "screening_work_items",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    run_id = table.Column<Guid>(type: "uuid", nullable: false),
                    index = table.Column<int>(type: "integer", nullable: false),
                    members = table.Column<string>(type: "jsonb", nullable: false),
                    status = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    attempts = table.Column<int>(type: "integer", nullable: false),
                    available_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    lease_owner = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: true),
                    lease_expires_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    last_error = table.Column<string>(type: "character varying(4000)", maxLength: 4000, nullable: true),
                    result = table.Column<string>(type: "jsonb", nullable: true),
                    completed_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_screening_work_items", x => x.id);
                    table.CheckConstraint("ck_screening_work_items_attempts", "attempts >= 0");
                    table.CheckConstraint("ck_screening_work_items_completed_has_result", "status <> 'completed' OR result IS NOT NULL");
                    table.CheckConstraint("ck_screening_work_items_lease", "(status = 'running') = (lease_expires_at IS NOT NULL AND lease_owner IS NOT NULL)");
                    table.CheckConstraint("ck_screening_work_items_status", "status IN ('pending', 'running', 'completed', 'failed')");
                    table.ForeignKey(
                        name: "fk_screening_work_items_screening_runs_run_id",
                        column: x => x.run_id,
                        principalTable: "screening_runs",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.AddCheckConstraint(
                name: "ck_position_discrepancies_differs",
                table: "position_discrepancies",
                sql: "local_quantity <> broker_quantity OR local_average_entry_price IS DISTINCT FROM broker_average_entry_price");

            migrationBuilder.AddCheckConstraint(
                name: "ck_position_discrepancies_kind",
                table: "position_discrepancies",
                sql: "kind IN ('missing_locally', 'missing_at_broker', 'quantity_mismatch', 'average_price_mismatch')");

            migrationBuilder.CreateIndex(
                name: "ix_backtest_runs_owner_user_id_id",
                table: "backtest_runs",
                columns: new[] { "owner_user_id", "id" },
                descending: new[] { false, true });

            migrationBuilder.CreateIndex(
                name: "ix_backtest_runs_unfinished",
                table: "backtest_runs",
                column: "created_at",
                filter: "status IN ('queued', 'running')");

            migrationBuilder.CreateIndex(
                name: "ix_screening_runs_completed",
                table: "screening_runs",
                columns: new[] { "as_of", "finished_at" },
                descending: new bool[0],
                filter: "status = 'completed'");

            migrationBuilder.CreateIndex(
                name: "ix_screening_work_items_run_id_index",
                table: "screening_work_items",
                columns: new[] { "run_id", "index" },
                unique: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "backtest_results");

            migrationBuilder.DropTable(
                name: "screening_work_items");

            migrationBuilder.DropTable(
                name: "backtest_runs");

            migrationBuilder.DropTable(
                name: "screening_runs");

            migrationBuilder.DropCheckConstraint(
                name: "ck_position_discrepancies_differs",
                table: "position_discrepancies");

            migrationBuilder.DropCheckConstraint(
                name: "ck_position_discrepancies_kind",
                table: "position_discrepancies");

            migrationBuilder.AddCheckConstraint(
                name: "ck_position_discrepancies_differs",
                table: "position_discrepancies",
                sql: "local_quantity <> broker_quantity");

            migrationBuilder.AddCheckConstraint(
                name: "ck_position_discrepancies_kind",
                table: "position_discrepancies",
                sql: "kind IN ('missing_locally', 'missing_at_broker', 'quantity_mismatch')");
        }
    }
}
