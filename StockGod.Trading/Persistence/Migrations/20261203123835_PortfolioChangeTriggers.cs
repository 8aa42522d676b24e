using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace StockGod.Trading.Persistence.Migrations
{
    /// <summary>
    /// Every committed change to what a portfolio GET shows (portfolios, positions, portfolio_snapshots) notifies channel
    /// portfolio_changed with the portfolio's id, whoever wrote it; a TRUNCATE notifies an empty payload ("everything").
    /// PostgreSQL delivers notifications only at commit and collapses duplicates within a transaction, so a fill that
    /// touches the portfolio and several positions sends one. The function does no lookups: one pg_notify per row.
    /// </summary>
    public partial class PortfolioChangeTriggers : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            // IF branches, not one expression: PL/pgSQL prepares a statement on first execution, and each table's rows
            // have only their own columns (portfolios.id, the others' portfolio_id).
            migrationBuilder.Sql("""
                CREATE FUNCTION notify_portfolio_changed() RETURNS trigger LANGUAGE plpgsql AS $$
                BEGIN
                    IF TG_LEVEL = 'STATEMENT' THEN
                        PERFORM pg_notify('portfolio_changed', '');
                    ELSIF TG_TABLE_NAME = 'portfolios' THEN
                        IF TG_OP <> 'INSERT' THEN
                            PERFORM pg_notify('portfolio_changed', OLD.id::text);
                        END IF;
                        IF TG_OP <> 'DELETE' THEN
                            PERFORM pg_notify('portfolio_changed', NEW.id::text);
                        END IF;
                    ELSE
                        IF TG_OP <> 'INSERT' THEN
                            PERFORM pg_notify('portfolio_changed', OLD.portfolio_id::text);
                        END IF;
                        IF TG_OP <> 'DELETE' THEN
                            PERFORM pg_notify('portfolio_changed', NEW.portfolio_id::text);
                        END IF;
                    END IF;
                    RETURN NULL;
                END;
                $$;
                """);

            foreach (var table in Tables)
            {
                migrationBuilder.Sql($"""
                    CREATE TRIGGER {table}_notify_changed AFTER INSERT OR UPDATE OR DELETE ON {table}
                        FOR EACH ROW EXECUTE FUNCTION notify_portfolio_changed();
                    CREATE TRIGGER {table}_notify_truncated AFTER TRUNCATE ON {table}
                        FOR EACH STATEMENT EXECUTE FUNCTION notify_portfolio_changed();
                    """);
            }
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            foreach (var table in Tables)
            {
                migrationBuilder.Sql($"""
                    DROP TRIGGER {table}_notify_changed ON {table};
                    DROP TRIGGER {table}_notify_truncated ON {table};
                    """);
            }

            migrationBuilder.Sql("DROP FUNCTION notify_portfolio_changed();");
        }

        private static readonly string[] Tables = ["portfolios", "positions", "portfolio_snapshots"];
    }
}
