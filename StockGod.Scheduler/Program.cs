using StockGod.Scheduler.Extensions;
using StockGod.Scheduler.Grpc;

var builder = WebApplication.CreateBuilder(args);

builder.AddServiceDefaults();
builder.AddApplicationServices();

var app = builder.Build();

app.MapDefaultEndpoints();
app.MapGrpcService<JobControlService>();

app.Run();
