using System.Text.Json;
using Microsoft.AspNetCore.Diagnostics;
using Microsoft.AspNetCore.Mvc;
using Microsoft.EntityFrameworkCore;
using StockGod.Trading.Brokerage;
using StockGod.Trading.Domain;
using StockGod.Trading.Persistence;

namespace StockGod.Api.Infrastructure;

/// <summary>
/// Turns every exception into ProblemDetails: unreadable input is the client's 400 (with what is wrong, never a 500),
/// a refused business rule a 422, a lost optimistic race a 409, an unreachable brokerage or database (restarting,
/// failing over, pool exhausted) a 503 with Retry-After, and anything else a 500 that says nothing about internals —
/// the trace id in the answer finds the logged details.
/// </summary>
internal sealed partial class ApiExceptionHandler(IProblemDetailsService problemDetails, ILogger<ApiExceptionHandler> logger) : IExceptionHandler
{
    private const int RetryAfterSeconds = 5;

    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        var problem = exception switch
        {
            BadHttpRequestException bad when bad.StatusCode == StatusCodes.Status413PayloadTooLarge =>
                Problem(StatusCodes.Status413PayloadTooLarge, "Payload too large", "The request body is larger than allowed.", ProblemTypes.PayloadTooLarge),
            BadHttpRequestException bad => Problem(bad.StatusCode, "Malformed request", DescribeBadRequest(bad), ProblemTypes.MalformedRequest),
            DomainException domain => Problem(StatusCodes.Status422UnprocessableEntity, "The request breaks a business rule", domain.Message, ProblemTypes.BusinessRule),
            InsufficientBuyingPowerException or InsufficientSharesException or InvalidOrderException =>
                Problem(StatusCodes.Status422UnprocessableEntity, "The brokerage refused the order", exception.Message, ProblemTypes.BusinessRule),
            BrokerageException => Problem(StatusCodes.Status503ServiceUnavailable, "Brokerage unavailable", "The brokerage or its market data could not be reached; retry later.", ProblemTypes.ServiceUnavailable),
            _ when exception.IsDatabaseUnavailable() => Problem(StatusCodes.Status503ServiceUnavailable, "Database unavailable", "The database could not be reached; retry later.", ProblemTypes.ServiceUnavailable),
            DbUpdateConcurrencyException => Problem(StatusCodes.Status409Conflict, "Conflict", "The resource was changed by another request; read it again and retry.", ProblemTypes.Conflict),
            OperationCanceledException when httpContext.RequestAborted.IsCancellationRequested => null,
            _ => Problem(StatusCodes.Status500InternalServerError, "An unexpected error occurred", "The server could not complete the request.", ProblemTypes.Unexpected),
        };

        if (problem is null)
        {
            return true;
        }

        if (problem.Status >= 500)
        {
            LogUnexpected(logger, exception, httpContext.Request.Method, httpContext.Request.Path);
        }

        httpContext.Response.StatusCode = problem.Status!.Value;
        if (problem.Status == StatusCodes.Status503ServiceUnavailable)
        {
            httpContext.Response.Headers.RetryAfter = RetryAfterSeconds.ToString(System.Globalization.CultureInfo.InvariantCulture);
        }

        return await problemDetails.TryWriteAsync(new ProblemDetailsContext
        {
            HttpContext = httpContext,
            ProblemDetails = problem,
            Exception = exception,
        });
    }

    /// <summary>Says which field could not be read (from the JSON path) without echoing .NET type names or input.</summary>
    private static string DescribeBadRequest(BadHttpRequestException exception) => exception.InnerException switch
    {
        JsonException { Path: { Length: > 1 } path } => $"The JSON body could not be read at '{path}': the value is missing, malformed or of the wrong type.",
        JsonException => "The request body is not valid JSON.",
        _ when exception.Message.Contains("body was not provided", StringComparison.OrdinalIgnoreCase) => "A JSON request body is required.",
        _ when exception.Message.Contains("Content-Type", StringComparison.OrdinalIgnoreCase) => "The request body must be JSON (Content-Type: application/json).",
        _ => "The request could not be read: a parameter is missing or has the wrong format.",
    };

    private static ProblemDetails Problem(int status, string title, string detail, string type) =>
        new() { Status = status, Title = title, Detail = detail, Type = type };

    [LoggerMessage(Level = LogLevel.Error, Message = "Unhandled exception for {Method} {Path}")]
    private static partial void LogUnexpected(ILogger logger, Exception exception, string method, PathString path);
}
