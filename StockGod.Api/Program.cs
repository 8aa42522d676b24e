using StockGod.Api.Apis;
using StockGod.Api.Extensions;

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

app.Run();
