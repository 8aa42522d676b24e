using StockGod.Api.Apis;
using StockGod.Api.Extensions;
using StockGod.Api.Realtime;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddApplicationServices();

var app = builder.Build();

app.UseApiMiddleware();
app.MapDefaultEndpoints();
app.MapApiDocumentation();

app.MapAccountsApi();
app.MapApiKeysApi();
app.MapPortfoliosApi();
app.MapOrdersApi();
app.MapScreeningsApi();
app.MapBacktestsApi();
app.MapStrategiesApi();
app.MapWatchlistsApi();
app.MapPriceAlertsApi();
app.MapNotificationsApi();
app.MapPerformanceApi();
app.MapMarketDataApi();
app.MapJobsApi();
app.MapExportsApi();
app.MapHub<StreamHub>(StreamHub.Path);

app.Run();
