using System.Diagnostics;

namespace StockGod.AppHost.Tests;

/// <summary>eng/check-repository.sh, which CI runs before the build, on throwaway git repositories.</summary>
public sealed class RepositoryHygieneTests : IDisposable
{
    // Built at run time so this file holds no string the scanner would flag.
    private static readonly string FakeKeyId = "PK" + new string('T', 6) + "2Q4Z6X8C0V1B";
    private static readonly string FakeSecret = "q8Ws0b3NvRmYk1pD7hX2" + "cLzE9aT4uJ6iG5fB0rQ";
    private static readonly string PemHeader = "-----BEGIN " + "RSA PRIVATE KEY-----";

    private readonly DirectoryInfo _repository = Directory.CreateTempSubdirectory("stockgod-hygiene-");

    [Fact]
    public async Task A_clean_repository_passes()
    {
        await CommitAsync("appsettings.json", """{ "Alpaca": { "Paper": { "KeyId": "", "SecretKey": "" } }, "Jwt": { "SigningKey": "<from user secrets>" } }""");

        var (exitCode, output) = await ScanAsync();

        Assert.True(exitCode == 0, output);
    }

    [Theory]
    [InlineData("alpaca-key-id")]
    [InlineData("secret-value")]
    [InlineData("private-key")]
    public async Task A_committed_secret_fails_and_is_named_by_file_without_echoing_it(string kind)
    {
        var (file, content, secret) = kind switch
        {
            "alpaca-key-id" => ("src/Settings.cs", $"const string Key = \"{FakeKeyId}\";", FakeKeyId),
            "secret-value" => ("appsettings.Production.json", $$"""{ "Alpaca": { "Live": { "SecretKey": "{{FakeSecret}}" } } }""", FakeSecret),
            _ => ("deploy/key.pem", $"{PemHeader}\nMIIEowIBAAKCAQEA\n", "MIIEowIBAAKCAQEA"),
        };
        await CommitAsync("README.md", "nothing to see");
        await CommitAsync(file, content);

        var (exitCode, output) = await ScanAsync();

        Assert.Equal(1, exitCode);
        Assert.Contains(file, output);
        Assert.DoesNotContain(secret, output);
    }

    public void Dispose() => _repository.Delete(recursive: true);

    private async Task CommitAsync(string path, string content)
    {
        var full = Path.Combine(_repository.FullName, path);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        await File.WriteAllTextAsync(full, content, TestContext.Current.CancellationToken);
        if (!Directory.Exists(Path.Combine(_repository.FullName, ".git")))
        {
            await RunAsync("git", ["init", "-q"]);
        }

        await RunAsync("git", ["add", path]);
    }

    private Task<(int ExitCode, string Output)> ScanAsync() =>
        RunAsync("bash", [Path.Combine(RepositoryRoot(), "eng", "check-repository.sh"), _repository.FullName, "--no-packages"]);

    private async Task<(int ExitCode, string Output)> RunAsync(string fileName, string[] arguments)
    {
        var start = new ProcessStartInfo(fileName, arguments)
        {
            WorkingDirectory = _repository.FullName,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync(TestContext.Current.CancellationToken);
        var stderr = process.StandardError.ReadToEndAsync(TestContext.Current.CancellationToken);
        await process.WaitForExitAsync(TestContext.Current.CancellationToken);
        return (process.ExitCode, await stdout + await stderr);
    }

    private static string RepositoryRoot()
    {
        for (var directory = new DirectoryInfo(AppContext.BaseDirectory); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(Path.Combine(directory.FullName, "StockGod.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException("The repository root (StockGod.sln) is not above " + AppContext.BaseDirectory);
    }
}
