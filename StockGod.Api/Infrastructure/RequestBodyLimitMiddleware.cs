using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Options;

namespace StockGod.Api.Infrastructure;

public sealed class ApiOptions
{
    public const string SectionName = "Api";

    /// <summary>Largest request body accepted; API requests are small JSON documents.</summary>
    public long MaxRequestBodyBytes { get; set; } = 64 * 1024;

    /// <summary>Origins allowed by CORS; none by default.</summary>
    public string[] CorsOrigins { get; set; } = [];
}

/// <summary>
/// Refuses bodies above <see cref="ApiOptions.MaxRequestBodyBytes"/>: by Content-Length up front with a 413, and
/// through the server's body size feature for chunked bodies (which then fail reading, also a 413).
/// </summary>
internal sealed class RequestBodyLimitMiddleware(RequestDelegate next, IOptions<ApiOptions> options)
{
    public Task InvokeAsync(HttpContext context, IProblemDetailsService problemDetails)
    {
        var limit = options.Value.MaxRequestBodyBytes;
        if (context.Request.ContentLength > limit)
        {
            context.Response.StatusCode = StatusCodes.Status413PayloadTooLarge;
            return problemDetails.WriteAsync(new ProblemDetailsContext
            {
                HttpContext = context,
                ProblemDetails =
                {
                    Status = StatusCodes.Status413PayloadTooLarge,
                    Title = "Payload too large",
                    Detail = $"The request body may be at most {limit} bytes.",
                    Type = ProblemTypes.PayloadTooLarge,
                },
            }).AsTask();
        }

        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } feature)
        {
            feature.MaxRequestBodySize = limit;
        }

        return next(context);
    }
}
