using System.Text.Json;

namespace StockGod.Trading.Strategies;

/// <summary>The outcome of creating a strategy from stored parameters: the strategy, or every problem found.</summary>
public sealed record StrategyCreation(IStrategy? Strategy, IStrategyParameters? Parameters, IReadOnlyList<ParameterError> Errors)
{
    public bool Succeeded => Strategy is not null;
}

/// <summary>
/// Creates strategies by their stable type name from JSON parameters (camelCase, unknown fields refused), validating
/// them first. The same registry serves the Api (validation on save), the Scheduler (live runs) and backtests.
/// </summary>
public sealed class StrategyRegistry
{
    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        UnmappedMemberHandling = System.Text.Json.Serialization.JsonUnmappedMemberHandling.Disallow,
        RespectNullableAnnotations = true,
    };

    private readonly Dictionary<string, Func<string, StrategyCreation>> _factories = new(StringComparer.Ordinal);

    /// <summary>The four built-in strategies.</summary>
    public static StrategyRegistry Default { get; } = new StrategyRegistry()
        .Register<SmaCrossoverParameters>(SmaCrossoverStrategy.Name, p => new SmaCrossoverStrategy(p))
        .Register<RsiMeanReversionParameters>(RsiMeanReversionStrategy.Name, p => new RsiMeanReversionStrategy(p))
        .Register<MomentumRotationParameters>(MomentumRotationStrategy.Name, p => new MomentumRotationStrategy(p))
        .Register<DonchianBreakoutParameters>(DonchianBreakoutStrategy.Name, p => new DonchianBreakoutStrategy(p));

    public IReadOnlyCollection<string> TypeNames => _factories.Keys;

    public StrategyRegistry Register<TParameters>(string typeName, Func<TParameters, IStrategy> create)
        where TParameters : class, IStrategyParameters
    {
        _factories.Add(typeName, json =>
        {
            TParameters? parameters;
            try
            {
                parameters = JsonSerializer.Deserialize<TParameters>(string.IsNullOrWhiteSpace(json) ? "{}" : json, Json);
            }
            catch (JsonException e)
            {
                var field = string.IsNullOrEmpty(e.Path) || e.Path == "$" ? "parameters" : e.Path.TrimStart('$', '.');
                return new StrategyCreation(null, null, [new ParameterError(field, $"parameters are not valid JSON for {typeName}: {e.Message}")]);
            }

            if (parameters is null)
            {
                return new StrategyCreation(null, null, [new ParameterError("parameters", "parameters must be a JSON object.")]);
            }

            var errors = parameters.Validate().ToList();
            return errors.Count > 0 ? new StrategyCreation(null, parameters, errors) : new StrategyCreation(create(parameters), parameters, []);
        });
        return this;
    }

    public StrategyCreation Create(string typeName, string? parametersJson) =>
        _factories.TryGetValue(typeName, out var factory)
            ? factory(parametersJson ?? "{}")
            : new StrategyCreation(null, null, [new ParameterError("type", $"unknown strategy type '{typeName}'; known types: {string.Join(", ", _factories.Keys.Order(StringComparer.Ordinal))}.")]);
}
