using Microsoft.EntityFrameworkCore;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace StockGod.Trading.Domain.Users;

/// <summary>The roles a user can hold. Everyone is a <see cref="User"/>; operators also see and steer the scheduled jobs.</summary>
public static class Roles
{
    public const string User = "user";
    public const string Operator = "operator";

    public static readonly IReadOnlyList<string> All = [User, Operator];
}

/// <summary>One role granted to one user.</summary>
public sealed class UserRole
{
    public const int MaxRoleLength = 32;

    private UserRole()
    {
        Role = string.Empty;
    }

    public UserRole(Guid userId, string role)
    {
        if (!Roles.All.Contains(role))
        {
            throw new DomainException($"'{role}' is not a role.");
        }

        UserId = userId;
        Role = role;
    }

    public Guid UserId { get; private set; }

    public string Role { get; private set; }
}

internal sealed class UserRoleConfiguration : IEntityTypeConfiguration<UserRole>
{
    public void Configure(EntityTypeBuilder<UserRole> builder)
    {
        builder.ToTable("user_roles", t =>
            t.HasCheckConstraint("ck_user_roles_role", $"role IN ({string.Join(", ", Roles.All.Select(r => $"'{r}'"))})"));
        builder.HasKey(r => new { r.UserId, r.Role });
        builder.Property(r => r.Role).HasMaxLength(UserRole.MaxRoleLength);
        builder.HasOne<User>().WithMany().HasForeignKey(r => r.UserId).OnDelete(DeleteBehavior.Cascade);
    }
}
