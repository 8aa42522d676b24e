extern alias api;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Hosting.Internal;
using api::StockGod.Api.Identity;

namespace StockGod.Api.Tests;

public sealed class SigningKeyStoreTests : IDisposable
{
    private readonly string _folder = Path.Combine(Path.GetTempPath(), $"stockgod-key-{Guid.NewGuid():N}");

    [Fact]
    public void In_development_a_missing_key_is_generated_once_readable_by_the_user_only_and_reused()
    {
        var options = new JwtOptions { DevelopmentKeyPath = Path.Combine(_folder, "jwt-signing-key") };

        var first = SigningKeyStore.Resolve(options, Environment(Environments.Development));
        var second = SigningKeyStore.Resolve(options, Environment(Environments.Development));

        Assert.True(first.Key.Length >= 32);
        Assert.Equal(first.Key, second.Key);
        if (!OperatingSystem.IsWindows())
        {
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(options.DevelopmentKeyPath));
        }
    }

    [Fact]
    public void Outside_development_a_missing_key_stops_start_up()
    {
        var options = new JwtOptions { DevelopmentKeyPath = Path.Combine(_folder, "jwt-signing-key") };

        var error = Assert.Throws<InvalidOperationException>(() => SigningKeyStore.Resolve(options, Environment(Environments.Production)));

        Assert.Contains("Jwt:SigningKey", error.Message, StringComparison.Ordinal);
        Assert.False(File.Exists(options.DevelopmentKeyPath));
    }

    [Fact]
    public void A_configured_key_shorter_than_256_bits_is_refused()
    {
        var options = new JwtOptions { SigningKey = Convert.ToBase64String(new byte[16]) };

        Assert.Throws<InvalidOperationException>(() => SigningKeyStore.Resolve(options, Environment(Environments.Production)));
    }

    public void Dispose()
    {
        if (Directory.Exists(_folder))
        {
            Directory.Delete(_folder, recursive: true);
        }
    }

    private static HostingEnvironment Environment(string name) => new() { EnvironmentName = name };
}
