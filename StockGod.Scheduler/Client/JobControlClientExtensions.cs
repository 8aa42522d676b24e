using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using StockGod.MarketData.Client;
using StockGod.Scheduler.V1;

namespace StockGod.Scheduler.Client;

/// <summary>The <c>JobControl:Client</c> section of a consumer.</summary>
public sealed class JobControlClientOptions
{
    public const string SectionName = "JobControl:Client";

    /// <summary>Deadline of each call that sets none itself: an operator waits this long at most for a Scheduler that does not answer.</summary>
    public TimeSpan Deadline { get; set; } = TimeSpan.FromSeconds(10);
}

/// <summary>
/// Consumer side of the JobControl contract, compiled into the Api from these linked files with
/// <c>jobcontrol.proto</c> as a client (eShop's pattern). The Scheduler is found at <c>http://scheduler</c> through
/// service discovery. Every call gets a deadline (<see cref="JobControlClientOptions.Deadline"/>) through the
/// interceptor the MarketData client uses.
/// </summary>
public static class JobControlClientExtensions
{
    private static readonly Uri Address = new("http://scheduler");

    public static IHostApplicationBuilder AddJobControlClient(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<JobControlClientOptions>().BindConfiguration(JobControlClientOptions.SectionName);

        // Operator commands are not idempotent (trigger now), so the HTTP retry handler ServiceDefaults puts on every
        // client must not resend them; failures go back to the operator.
#pragma warning disable EXTEXP0001 // RemoveAllResilienceHandlers is the documented opt-out, still marked experimental.
        builder.Services.AddGrpcClient<JobControl.JobControlClient>(options => options.Address = Address)
            .AddInterceptor(provider => new DefaultDeadlineInterceptor(
                provider.GetRequiredService<IOptions<JobControlClientOptions>>().Value.Deadline, provider.GetRequiredService<TimeProvider>()))
            .RemoveAllResilienceHandlers();
#pragma warning restore EXTEXP0001
        return builder;
    }
}
