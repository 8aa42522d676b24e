using StockGod.Api.Validation;
using StockGod.Trading.Domain.Watchlists;

namespace StockGod.Api.Apis;

public sealed record CreateWatchlistRequest(string? Name, IReadOnlyList<string>? Symbols) : IValidatableRequest
{
    public void Validate(ValidationErrors errors)
    {
        if (errors.Required("name", Name))
        {
            errors.Length("name", Name, 1, Watchlist.MaxNameLength);
        }

        WatchlistRules.ValidateSymbols(errors, Symbols);
    }
}

/// <summary>A partial update: a new name, and/or <c>symbols</c> replacing the whole list (an empty list empties it).</summary>
public sealed record UpdateWatchlistRequest(string? Name, IReadOnlyList<string>? Symbols) : IValidatableRequest
{
    public void Validate(ValidationErrors errors)
    {
        if (Name is not null && !string.IsNullOrWhiteSpace(Name))
        {
            errors.Length("name", Name, 1, Watchlist.MaxNameLength);
        }
        else if (Name is not null)
        {
            errors.Add("name", "must not be blank.");
        }

        WatchlistRules.ValidateSymbols(errors, Symbols);
    }
}

internal static class WatchlistRules
{
    public const int MaxSymbols = 200;

    public static void ValidateSymbols(ValidationErrors errors, IReadOnlyList<string>? symbols)
    {
        if (symbols is null)
        {
            return;
        }

        if (symbols.Count > MaxSymbols)
        {
            errors.Add("symbols", $"must hold at most {MaxSymbols} symbols.");
        }

        for (var i = 0; i < symbols.Count; i++)
        {
            if (string.IsNullOrWhiteSpace(symbols[i]) || !ValidationErrors.IsSymbol(symbols[i]))
            {
                errors.Add($"symbols[{i}]", "must be a ticker symbol such as AAPL or BRK.B.");
            }
        }
    }
}

public sealed record WatchlistResponse(Guid Id, string Name, IReadOnlyList<string> Symbols, DateTimeOffset CreatedAt, DateTimeOffset UpdatedAt)
{
    public static WatchlistResponse From(Watchlist w) =>
        new(w.Id, w.Name, [.. w.Items.Select(i => i.Symbol).Order(StringComparer.Ordinal)], w.CreatedAt, w.UpdatedAt);
}
