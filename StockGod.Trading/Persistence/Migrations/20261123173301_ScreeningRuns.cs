using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace StockGod.Trading.Persistence.Migrations
{
    /// <inheritdoc />
    public partial class ScreeningRuns : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
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
                name: "screening_work_items");

            migrationBuilder.DropTable(
                name: "screening_runs");
        }
    }
}
