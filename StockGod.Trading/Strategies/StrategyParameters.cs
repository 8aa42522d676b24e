namespace StockGod.Trading.Strategies;

/// <summary>A problem with one parameter, named as it is in JSON (camelCase).</summary>
public sealed record ParameterError(string Field, string Message);

/// <summary>A strategy's typed, JSON-serialisable parameters, able to say what is wrong with them.</summary>
public interface IStrategyParameters
{
    IEnumerable<ParameterError> Validate();
}

internal static class ParameterRules
{
    public static IEnumerable<ParameterError> InRange(string field, int value, int minimum, int maximum)
    {
        if (value < minimum || value > maximum)
        {
            yield return new ParameterError(field, $"{field} must be between {minimum} and {maximum} (was {value}).");
        }
    }

    public static IEnumerable<ParameterError> InRange(string field, decimal value, decimal minimum, decimal maximum)
    {
        if (value < minimum || value > maximum)
        {
            yield return new ParameterError(field, $"{field} must be between {minimum} and {maximum} (was {value}).");
        }
    }
}
