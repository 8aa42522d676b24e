using System;
using System.Collections.Generic;
using System.Text.Json;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace StockGod.Trading.Persistence.Migrations
{
    /// <inheritdoc />
    public partial class InitialCreate : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "scheduled_jobs",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    name = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: false),
                    job_type = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    cron_expression = table.Column<string>(type: "character varying(120)", maxLength: 120, nullable: true),
                    status = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    last_execution_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    last_execution_status = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: true),
                    last_error_message = table.Column<string>(type: "character varying(4000)", maxLength: 4000, nullable: true),
                    execution_count = table.Column<long>(type: "bigint", nullable: false),
                    failure_count = table.Column<long>(type: "bigint", nullable: false),
                    consecutive_failures = table.Column<int>(type: "integer", nullable: false),
                    average_duration_ms = table.Column<double>(type: "double precision", nullable: true),
                    created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    updated_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    xmin = table.Column<uint>(type: "xid", rowVersion: true, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_scheduled_jobs", x => x.id);
                    table.CheckConstraint("ck_scheduled_jobs_counters", "execution_count >= 0 AND failure_count >= 0 AND consecutive_failures >= 0 AND failure_count <= execution_count");
                    table.CheckConstraint("ck_scheduled_jobs_status", "status IN ('enabled', 'disabled', 'error')");
                });

            migrationBuilder.CreateTable(
                name: "users",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    email = table.Column<string>(type: "character varying(320)", maxLength: 320, nullable: false),
                    display_name = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    password_hash = table.Column<string>(type: "character varying(512)", maxLength: 512, nullable: true),
                    created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_users", x => x.id);
                });

            migrationBuilder.CreateTable(
                name: "job_executions",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    job_id = table.Column<Guid>(type: "uuid", nullable: false),
                    status = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    started_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    ended_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    duration_ms = table.Column<long>(type: "bigint", nullable: true),
                    error_message = table.Column<string>(type: "character varying(4000)", maxLength: 4000, nullable: true),
                    metadata = table.Column<JsonDocument>(type: "jsonb", nullable: true),
                    instance_id = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_job_executions", x => x.id);
                    table.CheckConstraint("ck_job_executions_ended_after_start", "ended_at IS NULL OR ended_at >= started_at");
                    table.CheckConstraint("ck_job_executions_finished_has_end", "status = 'started' OR ended_at IS NOT NULL");
                    table.CheckConstraint("ck_job_executions_status", "status IN ('started', 'completed', 'failed')");
                    table.ForeignKey(
                        name: "fk_job_executions_scheduled_jobs_job_id",
                        column: x => x.job_id,
                        principalTable: "scheduled_jobs",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "notifications",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    user_id = table.Column<Guid>(type: "uuid", nullable: false),
                    kind = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    title = table.Column<string>(type: "character varying(200)", maxLength: 200, nullable: false),
                    body = table.Column<string>(type: "character varying(4000)", maxLength: 4000, nullable: false),
                    data = table.Column<JsonDocument>(type: "jsonb", nullable: true),
                    created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    read_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_notifications", x => x.id);
                    table.ForeignKey(
                        name: "fk_notifications_users_user_id",
                        column: x => x.user_id,
                        principalTable: "users",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "portfolios",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    owner_user_id = table.Column<Guid>(type: "uuid", nullable: false),
                    name = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: false),
                    trading_mode = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    starting_cash = table.Column<decimal>(type: "numeric(28,8)", nullable: false),
                    cash = table.Column<decimal>(type: "numeric(28,8)", nullable: false),
                    realized_profit_loss = table.Column<decimal>(type: "numeric(28,8)", nullable: false),
                    total_commissions = table.Column<decimal>(type: "numeric(28,8)", nullable: false),
                    live_trading_enabled = table.Column<bool>(type: "boolean", nullable: false),
                    allow_shorting = table.Column<bool>(type: "boolean", nullable: false),
                    broker_account_id = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: true),
                    created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    updated_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    xmin = table.Column<uint>(type: "xid", rowVersion: true, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_portfolios", x => x.id);
                    table.CheckConstraint("ck_portfolios_live_only_when_live", "NOT live_trading_enabled OR trading_mode = 'live'");
                    table.CheckConstraint("ck_portfolios_starting_cash_not_negative", "starting_cash >= 0");
                    table.CheckConstraint("ck_portfolios_total_commissions_not_negative", "total_commissions >= 0");
                    table.CheckConstraint("ck_portfolios_trading_mode", "trading_mode IN ('simulated', 'paper', 'live')");
                    table.ForeignKey(
                        name: "fk_portfolios_users_owner_user_id",
                        column: x => x.owner_user_id,
                        principalTable: "users",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Restrict);
                });

            migrationBuilder.CreateTable(
                name: "price_alerts",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    user_id = table.Column<Guid>(type: "uuid", nullable: false),
                    symbol = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    condition = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    threshold = table.Column<decimal>(type: "numeric(28,8)", nullable: false),
                    reference_price = table.Column<decimal>(type: "numeric(28,8)", nullable: true),
                    active = table.Column<bool>(type: "boolean", nullable: false),
                    created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    triggered_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    triggered_price = table.Column<decimal>(type: "numeric(28,8)", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_price_alerts", x => x.id);
                    table.CheckConstraint("ck_price_alerts_condition", "condition IN ('above', 'below', 'percent_change')");
                    table.CheckConstraint("ck_price_alerts_reference_for_percent", "condition <> 'percent_change' OR reference_price > 0");
                    table.CheckConstraint("ck_price_alerts_threshold_positive", "threshold > 0");
                    table.ForeignKey(
                        name: "fk_price_alerts_users_user_id",
                        column: x => x.user_id,
                        principalTable: "users",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "watchlists",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    user_id = table.Column<Guid>(type: "uuid", nullable: false),
                    name = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: false),
                    created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    updated_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_watchlists", x => x.id);
                    table.ForeignKey(
                        name: "fk_watchlists_users_user_id",
                        column: x => x.user_id,
                        principalTable: "users",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "portfolio_snapshots",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    portfolio_id = table.Column<Guid>(type: "uuid", nullable: false),
                    trading_date = table.Column<DateOnly>(type: "date", nullable: false),
                    total_value = table.Column<decimal>(type: "numeric(28,8)", nullable: false),
                    cash = table.Column<decimal>(type: "numeric(28,8)", nullable: false),
                    positions_value = table.Column<decimal>(type: "numeric(28,8)", nullable: false),
                    realized_profit_loss = table.Column<decimal>(type: "numeric(28,8)", nullable: false),
                    position_count = table.Column<int>(type: "integer", nullable: false),
                    taken_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_portfolio_snapshots", x => x.id);
                    table.CheckConstraint("ck_portfolio_snapshots_position_count", "position_count >= 0");
                    table.CheckConstraint("ck_portfolio_snapshots_total", "total_value = cash + positions_value");
                    table.ForeignKey(
                        name: "fk_portfolio_snapshots_portfolios_portfolio_id",
                        column: x => x.portfolio_id,
                        principalTable: "portfolios",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "position_discrepancies",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    portfolio_id = table.Column<Guid>(type: "uuid", nullable: false),
                    symbol = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    kind = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    local_quantity = table.Column<decimal>(type: "numeric(28,9)", nullable: false),
                    broker_quantity = table.Column<decimal>(type: "numeric(28,9)", nullable: false),
                    local_average_entry_price = table.Column<decimal>(type: "numeric(28,8)", nullable: true),
                    broker_average_entry_price = table.Column<decimal>(type: "numeric(28,8)", nullable: true),
                    detected_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    resolved_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    resolution = table.Column<string>(type: "character varying(1000)", maxLength: 1000, nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_position_discrepancies", x => x.id);
                    table.CheckConstraint("ck_position_discrepancies_differs", "local_quantity <> broker_quantity");
                    table.CheckConstraint("ck_position_discrepancies_kind", "kind IN ('missing_locally', 'missing_at_broker', 'quantity_mismatch')");
                    table.ForeignKey(
                        name: "fk_position_discrepancies_portfolios_portfolio_id",
                        column: x => x.portfolio_id,
                        principalTable: "portfolios",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "positions",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    portfolio_id = table.Column<Guid>(type: "uuid", nullable: false),
                    symbol = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    quantity = table.Column<decimal>(type: "numeric(28,9)", nullable: false),
                    average_entry_price = table.Column<decimal>(type: "numeric(28,8)", nullable: false),
                    cost_basis = table.Column<decimal>(type: "numeric(28,8)", nullable: false),
                    last_price = table.Column<decimal>(type: "numeric(28,8)", nullable: true),
                    market_value = table.Column<decimal>(type: "numeric(28,8)", nullable: true),
                    unrealized_profit_loss = table.Column<decimal>(type: "numeric(28,8)", nullable: true),
                    realized_profit_loss = table.Column<decimal>(type: "numeric(28,8)", nullable: false),
                    opened_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    updated_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_positions", x => x.id);
                    table.CheckConstraint("ck_positions_average_entry_price_positive", "average_entry_price > 0");
                    table.CheckConstraint("ck_positions_last_price_positive", "last_price IS NULL OR last_price > 0");
                    table.CheckConstraint("ck_positions_quantity_not_zero", "quantity <> 0");
                    table.ForeignKey(
                        name: "fk_positions_portfolios_portfolio_id",
                        column: x => x.portfolio_id,
                        principalTable: "portfolios",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "strategies",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    portfolio_id = table.Column<Guid>(type: "uuid", nullable: false),
                    name = table.Column<string>(type: "character varying(100)", maxLength: 100, nullable: false),
                    strategy_type = table.Column<string>(type: "character varying(64)", maxLength: 64, nullable: false),
                    parameters = table.Column<JsonDocument>(type: "jsonb", nullable: false),
                    symbols = table.Column<List<string>>(type: "text[]", nullable: false),
                    enabled = table.Column<bool>(type: "boolean", nullable: false),
                    last_evaluated_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    updated_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    xmin = table.Column<uint>(type: "xid", rowVersion: true, nullable: false),
                    risk_cash_buffer_fraction = table.Column<decimal>(type: "numeric(12,8)", nullable: false),
                    risk_max_open_positions = table.Column<int>(type: "integer", nullable: false),
                    risk_max_order_value = table.Column<decimal>(type: "numeric(28,8)", nullable: false),
                    risk_max_position_fraction = table.Column<decimal>(type: "numeric(12,8)", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_strategies", x => x.id);
                    table.CheckConstraint("ck_strategies_cash_buffer_fraction", "risk_cash_buffer_fraction >= 0 AND risk_cash_buffer_fraction < 1");
                    table.CheckConstraint("ck_strategies_max_open_positions", "risk_max_open_positions > 0");
                    table.CheckConstraint("ck_strategies_max_order_value", "risk_max_order_value > 0");
                    table.CheckConstraint("ck_strategies_max_position_fraction", "risk_max_position_fraction > 0 AND risk_max_position_fraction <= 1");
                    table.CheckConstraint("ck_strategies_symbols_not_empty", "cardinality(symbols) > 0");
                    table.ForeignKey(
                        name: "fk_strategies_portfolios_portfolio_id",
                        column: x => x.portfolio_id,
                        principalTable: "portfolios",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "watchlist_items",
                columns: table => new
                {
                    watchlist_id = table.Column<Guid>(type: "uuid", nullable: false),
                    symbol = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    added_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_watchlist_items", x => new { x.watchlist_id, x.symbol });
                    table.ForeignKey(
                        name: "fk_watchlist_items_watchlists_watchlist_id",
                        column: x => x.watchlist_id,
                        principalTable: "watchlists",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "signals",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    strategy_id = table.Column<Guid>(type: "uuid", nullable: false),
                    portfolio_id = table.Column<Guid>(type: "uuid", nullable: false),
                    symbol = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    action = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    strength = table.Column<decimal>(type: "numeric(12,8)", nullable: false),
                    reason = table.Column<string>(type: "character varying(1000)", maxLength: 1000, nullable: false),
                    price = table.Column<decimal>(type: "numeric(28,8)", nullable: true),
                    generated_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_signals", x => x.id);
                    table.CheckConstraint("ck_signals_action", "action IN ('hold', 'buy', 'sell')");
                    table.CheckConstraint("ck_signals_strength_range", "strength >= 0 AND strength <= 1");
                    table.ForeignKey(
                        name: "fk_signals_portfolios_portfolio_id",
                        column: x => x.portfolio_id,
                        principalTable: "portfolios",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "fk_signals_strategies_strategy_id",
                        column: x => x.strategy_id,
                        principalTable: "strategies",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "orders",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    portfolio_id = table.Column<Guid>(type: "uuid", nullable: false),
                    client_order_id = table.Column<string>(type: "character varying(128)", maxLength: 128, nullable: false),
                    broker_order_id = table.Column<Guid>(type: "uuid", nullable: true),
                    symbol = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    side = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    type = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    time_in_force = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    quantity = table.Column<decimal>(type: "numeric(28,9)", nullable: true),
                    notional = table.Column<decimal>(type: "numeric(28,8)", nullable: true),
                    limit_price = table.Column<decimal>(type: "numeric(28,8)", nullable: true),
                    stop_price = table.Column<decimal>(type: "numeric(28,8)", nullable: true),
                    status = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    filled_quantity = table.Column<decimal>(type: "numeric(28,9)", nullable: false),
                    average_fill_price = table.Column<decimal>(type: "numeric(28,8)", nullable: true),
                    reject_reason = table.Column<string>(type: "character varying(1000)", maxLength: 1000, nullable: true),
                    strategy_id = table.Column<Guid>(type: "uuid", nullable: true),
                    signal_id = table.Column<Guid>(type: "uuid", nullable: true),
                    created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    updated_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    submitted_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    filled_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    canceled_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    expired_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    failed_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    xmin = table.Column<uint>(type: "xid", rowVersion: true, nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_orders", x => x.id);
                    table.CheckConstraint("ck_orders_filled_quantity_in_range", "filled_quantity >= 0 AND (quantity IS NULL OR filled_quantity <= quantity)");
                    table.CheckConstraint("ck_orders_limit_price_positive", "limit_price IS NULL OR limit_price > 0");
                    table.CheckConstraint("ck_orders_limit_price_required", "type NOT IN ('limit', 'stop_limit') OR limit_price IS NOT NULL");
                    table.CheckConstraint("ck_orders_notional_positive", "notional IS NULL OR notional > 0");
                    table.CheckConstraint("ck_orders_quantity_or_notional", "(quantity IS NOT NULL) OR (notional IS NOT NULL)");
                    table.CheckConstraint("ck_orders_quantity_positive", "quantity IS NULL OR quantity > 0");
                    table.CheckConstraint("ck_orders_side", "side IN ('buy', 'sell')");
                    table.CheckConstraint("ck_orders_status", "status IN ('pending_new', 'accepted', 'new', 'partially_filled', 'filled', 'done_for_day', 'canceled', 'expired', 'replaced', 'pending_cancel', 'pending_replace', 'accepted_for_bidding', 'stopped', 'rejected', 'suspended', 'calculated')");
                    table.CheckConstraint("ck_orders_stop_price_positive", "stop_price IS NULL OR stop_price > 0");
                    table.CheckConstraint("ck_orders_stop_price_required", "type NOT IN ('stop', 'stop_limit') OR stop_price IS NOT NULL");
                    table.CheckConstraint("ck_orders_time_in_force", "time_in_force IN ('day', 'gtc', 'ioc', 'fok')");
                    table.CheckConstraint("ck_orders_type", "type IN ('market', 'limit', 'stop', 'stop_limit')");
                    table.ForeignKey(
                        name: "fk_orders_portfolios_portfolio_id",
                        column: x => x.portfolio_id,
                        principalTable: "portfolios",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "fk_orders_signals_signal_id",
                        column: x => x.signal_id,
                        principalTable: "signals",
                        principalColumn: "id",
                        onDelete: ReferentialAction.SetNull);
                    table.ForeignKey(
                        name: "fk_orders_strategies_strategy_id",
                        column: x => x.strategy_id,
                        principalTable: "strategies",
                        principalColumn: "id",
                        onDelete: ReferentialAction.SetNull);
                });

            migrationBuilder.CreateTable(
                name: "fills",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    order_id = table.Column<Guid>(type: "uuid", nullable: false),
                    portfolio_id = table.Column<Guid>(type: "uuid", nullable: false),
                    execution_id = table.Column<string>(type: "character varying(128)", maxLength: 128, nullable: false),
                    symbol = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    side = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    quantity = table.Column<decimal>(type: "numeric(28,9)", nullable: false),
                    price = table.Column<decimal>(type: "numeric(28,8)", nullable: false),
                    commission = table.Column<decimal>(type: "numeric(28,8)", nullable: false),
                    realized_profit_loss = table.Column<decimal>(type: "numeric(28,8)", nullable: false),
                    executed_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_fills", x => x.id);
                    table.CheckConstraint("ck_fills_commission_not_negative", "commission >= 0");
                    table.CheckConstraint("ck_fills_price_positive", "price > 0");
                    table.CheckConstraint("ck_fills_quantity_positive", "quantity > 0");
                    table.CheckConstraint("ck_fills_side", "side IN ('buy', 'sell')");
                    table.ForeignKey(
                        name: "fk_fills_orders_order_id",
                        column: x => x.order_id,
                        principalTable: "orders",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                    table.ForeignKey(
                        name: "fk_fills_portfolios_portfolio_id",
                        column: x => x.portfolio_id,
                        principalTable: "portfolios",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "ix_fills_execution_id",
                table: "fills",
                column: "execution_id",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_fills_order_id",
                table: "fills",
                column: "order_id");

            migrationBuilder.CreateIndex(
                name: "ix_fills_portfolio_id_executed_at",
                table: "fills",
                columns: new[] { "portfolio_id", "executed_at" });

            migrationBuilder.CreateIndex(
                name: "ix_job_executions_job_id_started_at",
                table: "job_executions",
                columns: new[] { "job_id", "started_at" },
                descending: new[] { false, true });

            migrationBuilder.CreateIndex(
                name: "ix_notifications_unread",
                table: "notifications",
                column: "user_id",
                filter: "read_at IS NULL");

            migrationBuilder.CreateIndex(
                name: "ix_notifications_user_id_created_at",
                table: "notifications",
                columns: new[] { "user_id", "created_at" },
                descending: new[] { false, true });

            migrationBuilder.CreateIndex(
                name: "ix_orders_broker_order_id",
                table: "orders",
                column: "broker_order_id",
                unique: true,
                filter: "broker_order_id IS NOT NULL");

            migrationBuilder.CreateIndex(
                name: "ix_orders_open_by_portfolio_symbol",
                table: "orders",
                columns: new[] { "portfolio_id", "symbol" },
                filter: "status IN ('pending_new', 'accepted', 'new', 'partially_filled', 'done_for_day', 'pending_cancel', 'pending_replace', 'accepted_for_bidding', 'stopped', 'suspended', 'calculated')");

            migrationBuilder.CreateIndex(
                name: "ix_orders_portfolio_id_client_order_id",
                table: "orders",
                columns: new[] { "portfolio_id", "client_order_id" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_orders_portfolio_id_created_at",
                table: "orders",
                columns: new[] { "portfolio_id", "created_at" },
                descending: new[] { false, true });

            migrationBuilder.CreateIndex(
                name: "ix_orders_signal_id",
                table: "orders",
                column: "signal_id");

            migrationBuilder.CreateIndex(
                name: "ix_orders_strategy_id",
                table: "orders",
                column: "strategy_id");

            migrationBuilder.CreateIndex(
                name: "ix_portfolio_snapshots_portfolio_id_trading_date",
                table: "portfolio_snapshots",
                columns: new[] { "portfolio_id", "trading_date" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_portfolios_owner_user_id_name",
                table: "portfolios",
                columns: new[] { "owner_user_id", "name" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_position_discrepancies_portfolio_id_detected_at",
                table: "position_discrepancies",
                columns: new[] { "portfolio_id", "detected_at" },
                descending: new[] { false, true });

            migrationBuilder.CreateIndex(
                name: "ix_position_discrepancies_unresolved",
                table: "position_discrepancies",
                columns: new[] { "portfolio_id", "symbol" },
                unique: true,
                filter: "resolved_at IS NULL");

            migrationBuilder.CreateIndex(
                name: "ix_positions_portfolio_id_symbol",
                table: "positions",
                columns: new[] { "portfolio_id", "symbol" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_price_alerts_active_by_symbol",
                table: "price_alerts",
                column: "symbol",
                filter: "active");

            migrationBuilder.CreateIndex(
                name: "ix_price_alerts_user_id",
                table: "price_alerts",
                column: "user_id");

            migrationBuilder.CreateIndex(
                name: "ix_scheduled_jobs_name",
                table: "scheduled_jobs",
                column: "name",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_signals_portfolio_id_generated_at",
                table: "signals",
                columns: new[] { "portfolio_id", "generated_at" },
                descending: new[] { false, true });

            migrationBuilder.CreateIndex(
                name: "ix_signals_strategy_id_generated_at",
                table: "signals",
                columns: new[] { "strategy_id", "generated_at" },
                descending: new[] { false, true });

            migrationBuilder.CreateIndex(
                name: "ix_strategies_enabled",
                table: "strategies",
                column: "portfolio_id",
                filter: "enabled");

            migrationBuilder.CreateIndex(
                name: "ix_strategies_portfolio_id_name",
                table: "strategies",
                columns: new[] { "portfolio_id", "name" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_users_email",
                table: "users",
                column: "email",
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_watchlists_user_id_name",
                table: "watchlists",
                columns: new[] { "user_id", "name" },
                unique: true);
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "fills");

            migrationBuilder.DropTable(
                name: "job_executions");

            migrationBuilder.DropTable(
                name: "notifications");

            migrationBuilder.DropTable(
                name: "portfolio_snapshots");

            migrationBuilder.DropTable(
                name: "position_discrepancies");

            migrationBuilder.DropTable(
                name: "positions");

            migrationBuilder.DropTable(
                name: "price_alerts");

            migrationBuilder.DropTable(
                name: "watchlist_items");

            migrationBuilder.DropTable(
                name: "orders");

            migrationBuilder.DropTable(
                name: "scheduled_jobs");

            migrationBuilder.DropTable(
                name: "watchlists");

            migrationBuilder.DropTable(
                name: "signals");

            migrationBuilder.DropTable(
                name: "strategies");

            migrationBuilder.DropTable(
                name: "portfolios");

            migrationBuilder.DropTable(
                name: "users");
        }
    }
}
