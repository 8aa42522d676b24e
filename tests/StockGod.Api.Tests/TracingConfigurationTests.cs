using System.Diagnostics;
using System.Net;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using OpenTelemetry.Trace;
using StockGod.Api.Tests.Support;

namespace StockGod.Api.Tests;

/// <summary>
/// Traces are recorded only when something reads them (an OTLP exporter, a sampler from configuration, or
/// Development); without them every request still has a W3C trace id for logs and ProblemDetails.
/// </summary>
public sealed class TracingConfigurationTests(ApiFactory factory) : IClassFixture<ApiFactory>
{
    private static CancellationToken Ct => TestContext.Current.CancellationToken;

    [Theory]
    [InlineData("Production", null, null, false)]
    [InlineData("Production", "OTEL_TRACES_SAMPLER", "parentbased_traceidratio", true)]
    [InlineData("Production", "OTEL_EXPORTER_OTLP_ENDPOINT", "http://127.0.0.1:4317", true)]
    [InlineData("Development", null, null, true)]
    public async Task Traces_are_recorded_only_when_exported_sampled_by_configuration_or_in_development(
        string environment, string? key, string? value, bool traced)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions { EnvironmentName = environment });
        builder.WebHost.UseTestServer();
        if (key is not null)
        {
            builder.Configuration[key] = value;
        }

        builder.AddServiceDefaults();
        await using var app = builder.Build();

        Assert.Equal(traced, app.Services.GetService<TracerProvider>() is not null);
    }

    [Fact]
    public async Task Without_tracing_the_api_still_answers_problems_with_a_w3c_trace_id()
    {
        await using var production = factory.WithWebHostBuilder(builder => builder.UseEnvironment("Production"));
        Assert.Null(production.Services.GetService<TracerProvider>());
        var user = await factory.CreateUserAsync();
        using var client = production.CreateClient();
        client.DefaultRequestHeaders.Authorization = user.Http.DefaultRequestHeaders.Authorization;

        var response = await client.GetAsync($"/api/v1/portfolios/{Guid.NewGuid()}", Ct);

        var problem = await response.AssertProblemAsync(HttpStatusCode.NotFound, "https://stockgod.dev/problems/not-found");
        Assert.Matches("^00-[0-9a-f]{32}-[0-9a-f]{16}-0[01]$", problem.GetProperty("traceId").GetString());
    }
}
