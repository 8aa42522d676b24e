using System.Text.RegularExpressions;
using StockGod.Trading.Domain;

namespace StockGod.Api.Validation;

/// <summary>Per-field error messages, keyed by the field's JSON name, with the checks the requests share.</summary>
public sealed partial class ValidationErrors
{
    /// <summary>Largest quantity of one order or position change: far above any real order, far below overflow.</summary>
    public const decimal MaxQuantity = 10_000_000m;

    /// <summary>Largest price or money amount accepted from a client.</summary>
    public const decimal MaxAmount = 1_000_000_000m;

    private readonly Dictionary<string, List<string>> _errors = new(StringComparer.Ordinal);

    public bool IsEmpty => _errors.Count == 0;

    public void Add(string field, string message)
    {
        if (!_errors.TryGetValue(field, out var messages))
        {
            _errors[field] = messages = [];
        }

        messages.Add(message);
    }

    public IDictionary<string, string[]> ToDictionary() => _errors.ToDictionary(e => e.Key, e => e.Value.ToArray(), StringComparer.Ordinal);

    public bool Required<T>(string field, T? value)
    {
        if (value is null || (value is string s && string.IsNullOrWhiteSpace(s)))
        {
            Add(field, "is required.");
            return false;
        }

        return true;
    }

    public void Length(string field, string? value, int min, int max)
    {
        if (value is not null && (value.Trim().Length < min || value.Trim().Length > max))
        {
            Add(field, $"must be {min} to {max} characters.");
        }
    }

    /// <summary>Ticker symbols as exchanges write them: letters first, then letters/digits, one class suffix after a dot (BRK.B).</summary>
    public void Symbol(string field, string? value)
    {
        if (value is not null && !IsSymbol(value))
        {
            Add(field, "must be a ticker symbol such as AAPL or BRK.B.");
        }
    }

    public void Quantity(string field, decimal? value)
    {
        if (value is { } quantity && (quantity <= 0 || quantity > MaxQuantity))
        {
            Add(field, $"must be greater than 0 and at most {MaxQuantity}.");
        }
    }

    public void Amount(string field, decimal? value, bool allowZero = false)
    {
        if (value is { } amount && ((allowZero ? amount < 0 : amount <= 0) || amount > MaxAmount))
        {
            Add(field, allowZero ? $"must be between 0 and {MaxAmount}." : $"must be greater than 0 and at most {MaxAmount}.");
        }
    }

    public void Range(string field, int? value, int min, int max)
    {
        if (value is { } number && (number < min || number > max))
        {
            Add(field, $"must be between {min} and {max}.");
        }
    }

    public static bool IsSymbol(string value) => value.Length <= Symbols.MaxLength && SymbolPattern().IsMatch(value.Trim());

    [GeneratedRegex(@"^[A-Za-z][A-Za-z0-9]{0,9}(\.[A-Za-z]{1,2})?$")]
    private static partial Regex SymbolPattern();
}
