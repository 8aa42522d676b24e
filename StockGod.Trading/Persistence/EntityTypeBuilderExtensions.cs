using System.Linq.Expressions;
using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace StockGod.Trading.Persistence;

/// <summary>Small helpers the entity configurations share, so every table spells its constraints the same way.</summary>
internal static class EntityTypeBuilderExtensions
{
    /// <summary>CHECK that an enum column holds one of the enum's stored names.</summary>
    public static TableBuilder<TEntity> HasEnumCheck<TEntity, TEnum>(this TableBuilder<TEntity> table, string column)
        where TEntity : class
        where TEnum : struct, Enum
    {
        var names = string.Join(", ", SnakeCaseEnumConverter<TEnum>.StoredNames.Select(n => $"'{n}'"));
        table.HasCheckConstraint($"ck_{table.Name}_{column}", $"{column} IN ({names})");
        return table;
    }

    public static PropertyBuilder<decimal> HasQuantityColumn<TEntity>(this EntityTypeBuilder<TEntity> builder, Expression<Func<TEntity, decimal>> property)
        where TEntity : class => builder.Property(property).HasColumnType(ColumnTypes.Quantity);

    public static PropertyBuilder<decimal?> HasQuantityColumn<TEntity>(this EntityTypeBuilder<TEntity> builder, Expression<Func<TEntity, decimal?>> property)
        where TEntity : class => builder.Property(property).HasColumnType(ColumnTypes.Quantity);

    public static PropertyBuilder<decimal> HasPriceColumn<TEntity>(this EntityTypeBuilder<TEntity> builder, Expression<Func<TEntity, decimal>> property)
        where TEntity : class => builder.Property(property).HasColumnType(ColumnTypes.Price);

    public static PropertyBuilder<decimal?> HasPriceColumn<TEntity>(this EntityTypeBuilder<TEntity> builder, Expression<Func<TEntity, decimal?>> property)
        where TEntity : class => builder.Property(property).HasColumnType(ColumnTypes.Price);

    public static PropertyBuilder<decimal> HasMoneyColumn<TEntity>(this EntityTypeBuilder<TEntity> builder, Expression<Func<TEntity, decimal>> property)
        where TEntity : class => builder.Property(property).HasColumnType(ColumnTypes.Money);

    public static PropertyBuilder<decimal?> HasMoneyColumn<TEntity>(this EntityTypeBuilder<TEntity> builder, Expression<Func<TEntity, decimal?>> property)
        where TEntity : class => builder.Property(property).HasColumnType(ColumnTypes.Money);
}
