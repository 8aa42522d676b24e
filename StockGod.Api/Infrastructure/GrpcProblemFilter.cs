using Grpc.Core;

namespace StockGod.Api.Infrastructure;

/// <summary>
/// Answers a failed call to an internal gRPC service (MarketData, the Scheduler) as ProblemDetails: the service's
/// refusals keep their meaning (bad input 400, unknown 404, wrong state 409), its absence is a 503 the client may retry.
/// Anything else is left to the exception handler (a 500 without internals).
/// </summary>
internal sealed partial class GrpcProblemFilter(ILogger<GrpcProblemFilter> logger) : IEndpointFilter
{
    private const int RetryAfterSeconds = 5;

    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        try
        {
            return await next(context);
        }
        catch (RpcException ex) when (ex.StatusCode is StatusCode.InvalidArgument)
        {
            return Problem(StatusCodes.Status400BadRequest, "Invalid request", ex.Status.Detail, ProblemTypes.Validation);
        }
        catch (RpcException ex) when (ex.StatusCode is StatusCode.NotFound)
        {
            return Problem(StatusCodes.Status404NotFound, "Not found", ex.Status.Detail, ProblemTypes.NotFound);
        }
        catch (RpcException ex) when (ex.StatusCode is StatusCode.FailedPrecondition)
        {
            return Problem(StatusCodes.Status409Conflict, "Conflict", ex.Status.Detail, ProblemTypes.Conflict);
        }
        catch (RpcException ex) when (ex.StatusCode is StatusCode.Unavailable or StatusCode.DeadlineExceeded
                                      && !context.HttpContext.RequestAborted.IsCancellationRequested)
        {
            LogUnavailable(logger, ex.StatusCode, context.HttpContext.Request.Path);
            context.HttpContext.Response.Headers.RetryAfter = RetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
            return Problem(StatusCodes.Status503ServiceUnavailable, "Service unavailable",
                "A service this request needs did not answer in time; retry later.", ProblemTypes.ServiceUnavailable);
        }
    }

    private static IResult Problem(int status, string title, string detail, string type) =>
        TypedResults.Problem(statusCode: status, title: title, detail: detail, type: type);

    [LoggerMessage(Level = LogLevel.Warning, Message = "An internal service answered {StatusCode} to {Path}")]
    private static partial void LogUnavailable(ILogger logger, StatusCode statusCode, PathString path);
}
