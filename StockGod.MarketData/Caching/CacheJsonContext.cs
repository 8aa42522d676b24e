using System.Text.Json.Serialization;
using StockGod.MarketData.Providers;

namespace StockGod.MarketData.Caching;

/// <summary>How entries are stored in Redis: JSON (readable with redis-cli), decimals exact.</summary>
[JsonSerializable(typeof(CacheEntry<Quote>))]
[JsonSerializable(typeof(CacheEntry<MarketSnapshot>))]
[JsonSerializable(typeof(CacheEntry<Bar[]>))]
internal sealed partial class CacheJsonContext : JsonSerializerContext;
