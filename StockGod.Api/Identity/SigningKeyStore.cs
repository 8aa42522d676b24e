using System.Security.Cryptography;
using Microsoft.IdentityModel.Tokens;

namespace StockGod.Api.Identity;

/// <summary>
/// The key that signs the embedded issuer's tokens: <c>Jwt:SigningKey</c> from configuration, or in Development a
/// key generated at first run and kept in the user's application data folder (like user secrets: outside the
/// repository, readable by the user only). The key itself is never logged.
/// </summary>
internal static class SigningKeyStore
{
    private const int KeyBytes = 64;

    public static SymmetricSecurityKey Resolve(JwtOptions options, IHostEnvironment environment)
    {
        if (!string.IsNullOrWhiteSpace(options.SigningKey))
        {
            return FromBase64(options.SigningKey, "Jwt:SigningKey");
        }

        if (!environment.IsDevelopment())
        {
            throw new InvalidOperationException(
                "Jwt:SigningKey is not configured. Set it (base64 of at least 32 random bytes) or configure Jwt:Authority for an external OpenID Connect provider.");
        }

        var path = options.DevelopmentKeyPath ?? Path.Combine(
            Environment.GetFolderPath(Environment.SpecialFolder.ApplicationData, Environment.SpecialFolderOption.Create),
            "StockGod",
            "jwt-signing-key");
        return FromBase64(ReadOrCreate(path), path);
    }

    private static string ReadOrCreate(string path)
    {
        if (File.Exists(path))
        {
            return File.ReadAllText(path).Trim();
        }

        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        var key = Convert.ToBase64String(RandomNumberGenerator.GetBytes(KeyBytes));
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        try
        {
            using var writer = new StreamWriter(path, options);
            writer.Write(key);
            return key;
        }
        catch (IOException) when (File.Exists(path))
        {
            // Another replica created it first: use theirs.
            return File.ReadAllText(path).Trim();
        }
    }

    private static SymmetricSecurityKey FromBase64(string value, string source)
    {
        byte[] bytes;
        try
        {
            bytes = Convert.FromBase64String(value);
        }
        catch (FormatException)
        {
            throw new InvalidOperationException($"The JWT signing key from {source} is not base64.");
        }

        return bytes.Length >= 32
            ? new SymmetricSecurityKey(bytes)
            : throw new InvalidOperationException($"The JWT signing key from {source} must be at least 32 bytes.");
    }
}
