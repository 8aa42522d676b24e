using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace StockGod.Trading.Persistence.Migrations
{
    /// <inheritdoc />
    public partial class SimulatedExchange : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "sim_accounts",
                columns: table => new
                {
                    portfolio_id = table.Column<Guid>(type: "uuid", nullable: false),
                    cash = table.Column<decimal>(type: "numeric(28,8)", nullable: false),
                    created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    updated_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_sim_accounts", x => x.portfolio_id);
                    table.ForeignKey(
                        name: "fk_sim_accounts_portfolios_portfolio_id",
                        column: x => x.portfolio_id,
                        principalTable: "portfolios",
                        principalColumn: "id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "sim_orders",
                columns: table => new
                {
                    id = table.Column<Guid>(type: "uuid", nullable: false),
                    account_id = table.Column<Guid>(type: "uuid", nullable: false),
                    client_order_id = table.Column<string>(type: "character varying(128)", maxLength: 128, nullable: false),
                    symbol = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    side = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    type = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    time_in_force = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    quantity = table.Column<decimal>(type: "numeric(28,9)", nullable: false),
                    notional = table.Column<decimal>(type: "numeric(28,8)", nullable: true),
                    limit_price = table.Column<decimal>(type: "numeric(28,8)", nullable: true),
                    stop_price = table.Column<decimal>(type: "numeric(28,8)", nullable: true),
                    stop_triggered = table.Column<bool>(type: "boolean", nullable: false),
                    status = table.Column<string>(type: "character varying(32)", maxLength: 32, nullable: false),
                    filled_quantity = table.Column<decimal>(type: "numeric(28,9)", nullable: false),
                    average_fill_price = table.Column<decimal>(type: "numeric(28,8)", nullable: true),
                    reserved_price = table.Column<decimal>(type: "numeric(28,8)", nullable: false),
                    created_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    updated_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false),
                    filled_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    canceled_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    expired_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true),
                    expires_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: true)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_sim_orders", x => x.id);
                    table.CheckConstraint("ck_sim_orders_filled_quantity_in_range", "filled_quantity >= 0 AND filled_quantity <= quantity");
                    table.CheckConstraint("ck_sim_orders_quantity_positive", "quantity > 0");
                    table.CheckConstraint("ck_sim_orders_status", "status IN ('pending_new', 'accepted', 'new', 'partially_filled', 'filled', 'done_for_day', 'canceled', 'expired', 'replaced', 'pending_cancel', 'pending_replace', 'accepted_for_bidding', 'stopped', 'rejected', 'suspended', 'calculated')");
                    table.ForeignKey(
                        name: "fk_sim_orders_sim_accounts_account_id",
                        column: x => x.account_id,
                        principalTable: "sim_accounts",
                        principalColumn: "portfolio_id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateTable(
                name: "sim_positions",
                columns: table => new
                {
                    account_id = table.Column<Guid>(type: "uuid", nullable: false),
                    symbol = table.Column<string>(type: "character varying(16)", maxLength: 16, nullable: false),
                    quantity = table.Column<decimal>(type: "numeric(28,9)", nullable: false),
                    cost_basis = table.Column<decimal>(type: "numeric(28,8)", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_sim_positions", x => new { x.account_id, x.symbol });
                    table.CheckConstraint("ck_sim_positions_quantity_not_zero", "quantity <> 0");
                    table.ForeignKey(
                        name: "fk_sim_positions_sim_accounts_account_id",
                        column: x => x.account_id,
                        principalTable: "sim_accounts",
                        principalColumn: "portfolio_id",
                        onDelete: ReferentialAction.Cascade);
                });

            migrationBuilder.CreateIndex(
                name: "ix_sim_orders_account_id_client_order_id",
                table: "sim_orders",
                columns: new[] { "account_id", "client_order_id" },
                unique: true);

            migrationBuilder.CreateIndex(
                name: "ix_sim_orders_account_id_created_at",
                table: "sim_orders",
                columns: new[] { "account_id", "created_at" });
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "sim_orders");

            migrationBuilder.DropTable(
                name: "sim_positions");

            migrationBuilder.DropTable(
                name: "sim_accounts");
        }
    }
}
