namespace StockGod.Api.Validation;

/// <summary>A request model that checks itself; <see cref="ValidationFilter"/> runs it before the endpoint does.</summary>
public interface IValidatableRequest
{
    void Validate(ValidationErrors errors);
}
