using System.Reflection;
using System.Text;
using System.Text.Json.Serialization;
using Microsoft.EntityFrameworkCore.Storage.ValueConversion;

namespace StockGod.Trading.Persistence;

/// <summary>
/// Stores an enum as its readable snake_case name ("pending_new", "stop_limit"), the same spelling Alpaca and our JSON
/// use, so the database can be read and queried by people and so reordering enum members never corrupts data.
/// </summary>
internal sealed class SnakeCaseEnumConverter<TEnum>() : ValueConverter<TEnum, string>(
    value => Names.ToName[value],
    name => Names.FromName[name])
    where TEnum : struct, Enum
{
    /// <summary>The stored names, for CHECK constraints.</summary>
    public static IReadOnlyCollection<string> StoredNames => Names.ToName.Values;

    public static string StoredName(TEnum value) => Names.ToName[value];

    private static class Names
    {
        public static readonly Dictionary<TEnum, string> ToName = Enum.GetValues<TEnum>().ToDictionary(v => v, NameOf);
        public static readonly Dictionary<string, TEnum> FromName = ToName.ToDictionary(p => p.Value, p => p.Key, StringComparer.Ordinal);

        private static string NameOf(TEnum value)
        {
            var member = typeof(TEnum).GetField(value.ToString(), BindingFlags.Public | BindingFlags.Static)!;
            return member.GetCustomAttribute<JsonStringEnumMemberNameAttribute>()?.Name ?? ToSnakeCase(member.Name);
        }
    }

    private static string ToSnakeCase(string name)
    {
        var builder = new StringBuilder(name.Length + 4);
        for (var i = 0; i < name.Length; i++)
        {
            if (char.IsUpper(name[i]) && i > 0)
            {
                builder.Append('_');
            }

            builder.Append(char.ToLowerInvariant(name[i]));
        }

        return builder.ToString();
    }
}
