var builder = DistributedApplication.CreateBuilder(args);

var postgres = builder.AddPostgres("postgres");
var database = postgres.AddDatabase("stockgod");
var redis = builder.AddRedis("redis");

var marketData = builder.AddProject<Projects.StockGod_MarketData>("marketdata")
    .WithReference(redis)
    .WaitFor(redis)
    .WithHttpHealthCheck("/health");

var api = builder.AddProject<Projects.StockGod_Api>("api")
    .WithReference(database)
    .WithReference(redis)
    .WithReference(marketData)
    .WaitFor(database)
    .WaitFor(redis)
    .WaitFor(marketData)
    .WithHttpHealthCheck("/health");

// The scheduler waits for the api, which applies the database migrations.
builder.AddProject<Projects.StockGod_Scheduler>("scheduler")
    .WithReference(database)
    .WithReference(redis)
    .WithReference(marketData)
    .WithReference(api)
    .WaitFor(api)
    .WithHttpHealthCheck("/health");

builder.Build().Run();
