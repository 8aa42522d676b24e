using Microsoft.EntityFrameworkCore;
using Npgsql;

namespace StockGod.Trading.Persistence;

public static class DbUpdateExceptionExtensions
{
    /// <summary>True when PostgreSQL refused a duplicate of a unique key (optionally: of the named constraint or index).</summary>
    public static bool IsUniqueViolation(this DbUpdateException exception, string? constraintName = null) =>
        exception.InnerException is PostgresException { SqlState: PostgresErrorCodes.UniqueViolation } postgres
        && (constraintName is null || postgres.ConstraintName == constraintName);
}
