using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using StockGod.Scheduler.V1;

namespace StockGod.Scheduler.Client;

/// <summary>
/// Consumer side of the JobControl contract, compiled into the Api from these linked files with
/// <c>jobcontrol.proto</c> as a client (eShop's pattern). The Scheduler is found at <c>http://scheduler</c> through
/// service discovery.
/// </summary>
public static class JobControlClientExtensions
{
    private static readonly Uri Address = new("http://scheduler");

    public static IHostApplicationBuilder AddJobControlClient(this IHostApplicationBuilder builder)
    {
        // Operator commands are not idempotent (trigger now), so the HTTP retry handler ServiceDefaults puts on every
        // client must not resend them; failures go back to the operator.
#pragma warning disable EXTEXP0001 // RemoveAllResilienceHandlers is the documented opt-out, still marked experimental.
        builder.Services.AddGrpcClient<JobControl.JobControlClient>(options => options.Address = Address)
            .RemoveAllResilienceHandlers();
#pragma warning restore EXTEXP0001
        return builder;
    }
}
