using System.Runtime.CompilerServices;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.ChangeTracking;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace StockGod.Trading.Persistence;

/// <summary>
/// Maps an immutable value (a record or a read-only list of records) to a jsonb column. Decimals are JSON numbers,
/// which jsonb keeps as PostgreSQL numeric, so they read back exactly. The value is never mutated in place, so change
/// tracking compares references instead of serializing snapshots.
/// </summary>
internal static class JsonColumn
{
    public static readonly JsonSerializerOptions Options = new(JsonSerializerDefaults.General)
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
    };

    public static PropertyBuilder<T> HasJsonColumn<TEntity, T>(this EntityTypeBuilder<TEntity> builder, System.Linq.Expressions.Expression<Func<TEntity, T>> property)
        where TEntity : class
        where T : class =>
        builder.Property(property)
            .HasColumnType("jsonb")
            .HasConversion(
                value => JsonSerializer.Serialize(value, Options),
                json => JsonSerializer.Deserialize<T>(json, Options)!,
                new ValueComparer<T>((a, b) => ReferenceEquals(a, b), value => RuntimeHelpers.GetHashCode(value), value => value));
}
