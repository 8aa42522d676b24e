using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace StockGod.Trading.Persistence.Migrations
{
    /// <inheritdoc />
    public partial class PositionSyncAveragePriceDiscrepancies : Migration
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

            migrationBuilder.AddCheckConstraint(
                name: "ck_position_discrepancies_differs",
                table: "position_discrepancies",
                sql: "local_quantity <> broker_quantity OR local_average_entry_price IS DISTINCT FROM broker_average_entry_price");

            migrationBuilder.AddCheckConstraint(
                name: "ck_position_discrepancies_kind",
                table: "position_discrepancies",
                sql: "kind IN ('missing_locally', 'missing_at_broker', 'quantity_mismatch', 'average_price_mismatch')");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
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
