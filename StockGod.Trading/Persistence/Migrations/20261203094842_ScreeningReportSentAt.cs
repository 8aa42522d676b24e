using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace StockGod.Trading.Persistence.Migrations
{
    /// <inheritdoc />
    public partial class ScreeningReportSentAt : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.AddColumn<DateTimeOffset>(
                name: "report_sent_at",
                table: "screening_runs",
                type: "timestamp with time zone",
                nullable: true);

            // Reports stored before this column were mailed (or given up on) by the old worker: not the outbox's to send.
            migrationBuilder.Sql("UPDATE screening_runs SET report_sent_at = finished_at WHERE status = 'completed';");

            migrationBuilder.CreateIndex(
                name: "ix_screening_runs_report_unsent",
                table: "screening_runs",
                column: "finished_at",
                filter: "status = 'completed' AND report_sent_at IS NULL");

            migrationBuilder.AddCheckConstraint(
                name: "ck_screening_runs_report_sent_completed",
                table: "screening_runs",
                sql: "report_sent_at IS NULL OR status = 'completed'");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropIndex(
                name: "ix_screening_runs_report_unsent",
                table: "screening_runs");

            migrationBuilder.DropCheckConstraint(
                name: "ck_screening_runs_report_sent_completed",
                table: "screening_runs");

            migrationBuilder.DropColumn(
                name: "report_sent_at",
                table: "screening_runs");
        }
    }
}
