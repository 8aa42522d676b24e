extern alias SchedulerServer;
using System.Net;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.DependencyInjection;

namespace StockGod.Api.Tests.Support;

/// <summary>
/// The Scheduler service composed exactly as its Program does (clustered Quartz, every job, JobControl over gRPC) on
/// Kestrel on loopback (HTTP/2 cleartext), over the given database: the Api reaches it at <see cref="Address"/>, what
/// Aspire injects as <c>services:scheduler:http:0</c>.
/// </summary>
public sealed class SchedulerTestHost : IAsyncDisposable
{
    private readonly WebApplicationFactory<SchedulerServer::Program> _factory;

    private SchedulerTestHost(WebApplicationFactory<SchedulerServer::Program> factory, Uri address)
    {
        _factory = factory;
        Address = address;
    }

    public Uri Address { get; }

    public IServiceProvider Services => _factory.Services;

    public static SchedulerTestHost Start(string database, string redis, Uri marketData)
    {
        var factory = new WebApplicationFactory<SchedulerServer::Program>().WithWebHostBuilder(web =>
        {
            web.UseEnvironment("Production");
            web.UseSetting("ConnectionStrings:stockgod", database);
            web.UseSetting("ConnectionStrings:redis", redis);
            web.UseSetting("services:marketdata:http:0", marketData.ToString());
            web.UseSetting("Logging:LogLevel:Default", "Warning");
        });
        factory.UseKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0, listen => listen.Protocols = HttpProtocols.Http2));
        factory.StartServer();
        var address = factory.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.Single();
        return new SchedulerTestHost(factory, new Uri(address));
    }

    public ValueTask DisposeAsync() => _factory.DisposeAsync();
}
