using System.Text.Json;
using System.Text.Json.Serialization;
using StockGod.Api.Apis;

namespace StockGod.Api.Infrastructure;

/// <summary>
/// Source-generated serialization metadata for the hottest answers (the portfolio reads), first in the HTTP JSON
/// resolver chain; every other type falls through to reflection. The naming policy matches the HTTP options; the
/// decimal-as-string converter of the HTTP options still applies (generated metadata defers to converters in the
/// options it is used with).
/// </summary>
[JsonSourceGenerationOptions(JsonSerializerDefaults.Web, PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
[JsonSerializable(typeof(PortfolioResponse))]
[JsonSerializable(typeof(PositionResponse))]
[JsonSerializable(typeof(List<PositionResponse>))]
[JsonSerializable(typeof(List<PortfolioSummaryResponse>))]
internal sealed partial class ApiJsonContext : JsonSerializerContext;
