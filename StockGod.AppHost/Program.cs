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
var scheduler = builder.AddProject<Projects.StockGod_Scheduler>("scheduler")
    .WithReference(database)
    .WithReference(redis)
    .WithReference(marketData)
    .WithReference(api)
    .WaitFor(api)
    .WithHttpHealthCheck("/health");

// The api's /api/v1/jobs endpoints call the scheduler's job-control service (no WaitFor: it starts later).
api.WithReference(scheduler);

// Symbol search reads the S&P 500 constituents beside the repository (../shared/data) when this machine has them;
// a published manifest does not carry a path of this machine.
var constituents = Path.GetFullPath(Path.Combine(DistributedApplicationBuilder.AppHostDirectory, "..", "..", "shared", "data", "sp500-constituents.csv"));
if (builder.ExecutionContext.IsRunMode && File.Exists(constituents))
{
    api.WithEnvironment("Market__SymbolDirectory__Path", constituents);
}

builder.Build().Run();
