using StockGod.Api.Infrastructure;

namespace StockGod.Api.Validation;

/// <summary>
/// Runs <see cref="IValidatableRequest.Validate"/> on every bound argument that can validate itself and answers 400
/// with per-field errors. Installed per endpoint by its parameters: an endpoint without such a parameter (every plain
/// GET) gets no filter at all, so it also skips the filter pipeline's per-request argument boxing.
/// </summary>
internal static class ValidationFilter
{
    public static EndpointFilterDelegate Create(EndpointFilterFactoryContext context, EndpointFilterDelegate next)
    {
        var validatable = context.MethodInfo.GetParameters()
            .Select((parameter, index) => (parameter.ParameterType, index))
            .Where(p => typeof(IValidatableRequest).IsAssignableFrom(p.ParameterType))
            .Select(p => p.index)
            .ToArray();
        if (validatable.Length == 0)
        {
            return next;
        }

        return async invocation =>
        {
            var errors = new ValidationErrors();
            foreach (var index in validatable)
            {
                (invocation.Arguments[index] as IValidatableRequest)?.Validate(errors);
            }

            return errors.IsEmpty ? await next(invocation) : Problems.Validation(errors.ToDictionary());
        };
    }
}
