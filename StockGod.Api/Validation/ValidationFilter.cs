using StockGod.Api.Infrastructure;

namespace StockGod.Api.Validation;

/// <summary>Runs <see cref="IValidatableRequest.Validate"/> on every bound argument and answers 400 with per-field errors.</summary>
internal sealed class ValidationFilter : IEndpointFilter
{
    public async ValueTask<object?> InvokeAsync(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var errors = new ValidationErrors();
        foreach (var argument in context.Arguments)
        {
            (argument as IValidatableRequest)?.Validate(errors);
        }

        return errors.IsEmpty ? await next(context) : Problems.Validation(errors.ToDictionary());
    }
}
