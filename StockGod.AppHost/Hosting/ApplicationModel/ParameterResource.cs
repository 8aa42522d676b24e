using System.Security.Cryptography;

namespace StockGod.AppHost.Hosting.ApplicationModel;

/// <summary>
/// An input of the application, such as a generated password (<c>{resource}-password</c>). Run mode takes it from
/// the AppHost's configuration (<c>Parameters:{name}</c>) or from the state folder, where a generated one is kept so
/// that data made with it stays usable; the manifest asks the deployment tool for it.
/// </summary>
public sealed class ParameterResource(string name, bool secret, int generateMinLength, bool generateSpecial) : Resource(name), IValueExpression
{
    private string? _value;

    public override string Type => "Parameter";

    public bool Secret { get; } = secret;

    /// <summary>The length a deployment tool should generate when no value is given.</summary>
    public int GenerateMinLength { get; } = generateMinLength;

    /// <summary>Whether generated values may hold special characters (Redis: no, StackExchange.Redis splits on commas).</summary>
    public bool GenerateSpecial { get; } = generateSpecial;

    public string ValueExpression => $"{{{Name}.value}}";

    public string GetValue() =>
        _value ?? throw new InvalidOperationException($"Parameter '{Name}' has no value yet: the run has not resolved its parameters.");

    internal void SetValue(string value) => _value = value;

    /// <summary>Letters and digits only: safe in every connection string syntax, 22 of them carry ~130 bits.</summary>
    internal string Generate()
    {
        const string alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
        return RandomNumberGenerator.GetString(alphabet, Math.Max(GenerateMinLength, 22));
    }
}
