using System.Security.Claims;

namespace StockGod.Api.Identity;

/// <summary>The claims every authenticated request carries, whichever scheme authenticated it.</summary>
public static class UserClaims
{
    /// <summary>The StockGod user id (a GUID), also for users of an external authority.</summary>
    public const string UserId = "uid";
    public const string Subject = "sub";
    public const string Email = "email";
    public const string Name = "name";
    public const string Role = "role";

    public static IEnumerable<Claim> For(Guid userId, string email, string displayName, IEnumerable<string> roles)
    {
        yield return new Claim(Subject, userId.ToString());
        yield return new Claim(UserId, userId.ToString());
        yield return new Claim(Email, email);
        yield return new Claim(Name, displayName);
        foreach (var role in roles)
        {
            yield return new Claim(Role, role);
        }
    }

    /// <summary>The caller's user id; endpoints behind authorization always have one.</summary>
    public static Guid GetUserId(this ClaimsPrincipal principal) =>
        Guid.TryParse(principal.FindFirstValue(UserId), out var id) ? id : throw new InvalidOperationException("The principal carries no user id.");

    public static Guid? FindUserId(this ClaimsPrincipal principal) =>
        Guid.TryParse(principal.FindFirstValue(UserId), out var id) ? id : null;
}
