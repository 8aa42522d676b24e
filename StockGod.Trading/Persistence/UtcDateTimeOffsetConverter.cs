using Microsoft.EntityFrameworkCore.Storage.ValueConversion;

namespace StockGod.Trading.Persistence;

/// <summary>Writes every instant with offset zero, the only offset PostgreSQL's timestamptz accepts from Npgsql.</summary>
internal sealed class UtcDateTimeOffsetConverter() : ValueConverter<DateTimeOffset, DateTimeOffset>(
    value => value.ToUniversalTime(),
    value => value);
