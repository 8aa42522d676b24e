using Microsoft.AspNetCore.Http.Json;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Options;

namespace StockGod.Api.Infrastructure;

/// <summary>
/// Writes every problem as <c>application/problem+json</c>, whatever the request's Accept header says. ASP.NET Core's
/// default writer declines when the client accepts no JSON (an <c>Accept: text/csv</c> export request that fails, or
/// a hostile <c>Accept: image/png</c>), which leaves a bare text status, and turns a handled exception into an empty
/// 500. An error must stay a readable, typed answer.
/// </summary>
internal sealed class ProblemJsonWriter(IOptions<ProblemDetailsOptions> problemOptions, IOptions<JsonOptions> jsonOptions) : IProblemDetailsWriter
{
    public bool CanWrite(ProblemDetailsContext context) => true;

    public ValueTask WriteAsync(ProblemDetailsContext context)
    {
        var response = context.HttpContext.Response;
        var problem = context.ProblemDetails;
        problem.Status ??= response.StatusCode;
        problem.Title ??= ReasonPhrases.GetReasonPhrase(problem.Status.Value);
        problemOptions.Value.CustomizeProblemDetails?.Invoke(context);

        // The declared type, so a ValidationProblemDetails keeps its errors.
        return new ValueTask(response.WriteAsJsonAsync(problem, problem.GetType(), jsonOptions.Value.SerializerOptions,
            "application/problem+json", context.HttpContext.RequestAborted));
    }
}
