using System.Net.Mail;
using StockGod.Api.Validation;
using StockGod.Trading.Domain.Users;

namespace StockGod.Api.Apis;

public sealed record RegisterRequest(string? Email, string? Password, string? DisplayName) : IValidatableRequest
{
    public const int MinPasswordLength = 12;
    public const int MaxPasswordLength = 128;

    public void Validate(ValidationErrors errors)
    {
        if (errors.Required("email", Email) && !IsEmail(Email!))
        {
            errors.Add("email", "must be an email address.");
        }

        if (errors.Required("password", Password) && (Password!.Length < MinPasswordLength || Password.Length > MaxPasswordLength))
        {
            errors.Add("password", $"must be {MinPasswordLength} to {MaxPasswordLength} characters.");
        }

        if (errors.Required("display_name", DisplayName))
        {
            errors.Length("display_name", DisplayName, 1, 200);
        }
    }

    private static bool IsEmail(string value) =>
        value.Length <= User.MaxEmailLength && MailAddress.TryCreate(value.Trim(), out var address) && address.Address == value.Trim();
}

public sealed record SignInRequest(string? Email, string? Password) : IValidatableRequest
{
    public void Validate(ValidationErrors errors)
    {
        errors.Required("email", Email);
        errors.Required("password", Password);
        errors.Length("email", Email, 1, User.MaxEmailLength);
        errors.Length("password", Password, 1, RegisterRequest.MaxPasswordLength);
    }
}

public sealed record TokenResponse(string AccessToken, string TokenType, int ExpiresIn, DateTimeOffset ExpiresAt);

public sealed record UserResponse(Guid Id, string Email, string DisplayName, IReadOnlyList<string> Roles, DateTimeOffset CreatedAt);

public sealed record CreateApiKeyRequest(string? Name) : IValidatableRequest
{
    public void Validate(ValidationErrors errors)
    {
        if (errors.Required("name", Name))
        {
            errors.Length("name", Name, 1, ApiKey.MaxNameLength);
        }
    }
}

/// <summary>An API key as listed: the secret is never shown again after creation.</summary>
public sealed record ApiKeyResponse(Guid Id, string Name, string Prefix, DateTimeOffset CreatedAt, DateTimeOffset? LastUsedAt, DateTimeOffset? RevokedAt);

/// <summary>The answer to creating a key: <see cref="Key"/> is shown this once.</summary>
public sealed record CreatedApiKeyResponse(Guid Id, string Name, string Prefix, string Key, DateTimeOffset CreatedAt);
