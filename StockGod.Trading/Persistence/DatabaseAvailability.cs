using Npgsql;

namespace StockGod.Trading.Persistence;

public static class DatabaseAvailability
{
    /// <summary>
    /// True when the failure is the database's, not the request's: a broken or refused connection (Npgsql's transient
    /// errors, also when EF wraps them), or the server shutting down (57P01–57P03) or unreachable (08xxx) mid-command.
    /// The same work may succeed once the server is back.
    /// </summary>
    public static bool IsDatabaseUnavailable(this Exception exception)
    {
        for (var current = exception; current is not null; current = current.InnerException)
        {
            if (current is PostgresException postgres)
            {
                return postgres.IsTransient
                    || postgres.SqlState.StartsWith("57P", StringComparison.Ordinal)
                    || postgres.SqlState.StartsWith("08", StringComparison.Ordinal);
            }

            if (current is NpgsqlException { IsTransient: true })
            {
                return true;
            }
        }

        return false;
    }
}
