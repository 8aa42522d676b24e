using StockGod.Api.Infrastructure;
using StockGod.Api.Validation;

namespace StockGod.Api.Apis;

internal static class ApiRouting
{
    public const string Prefix = "/api/v1";

    /// <summary>A versioned group of one resource: validated inputs, documented ProblemDetails, authenticated unless an endpoint opts out.</summary>
    public static RouteGroupBuilder MapApiGroup(this IEndpointRouteBuilder app, string path, string tag) =>
        app.MapGroup($"{Prefix}/{path}")
            .WithTags(tag)
            .AddEndpointFilterFactory(ValidationFilter.Create)
            .RequireAuthorization()
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status429TooManyRequests)
            .ProducesProblem(StatusCodes.Status500InternalServerError);
}
