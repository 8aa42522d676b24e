namespace StockGod.AppHost.Hosting.ApplicationModel;

/// <summary>A Redis server with a password (Aspire 9.2+): a container in the manifest, the machine's redis-server in a local run.</summary>
public sealed class RedisResource : Resource, IResourceWithConnectionString
{
    public const string Image = "docker.io/library/redis";
    public const string ImageTag = "7.4";
    public const int DefaultPort = 6379;

    public RedisResource(string name, ParameterResource password) : base(name)
    {
        Password = password;
        PrimaryEndpoint = new EndpointAnnotation(this, "tcp", "tcp", "tcp", DefaultPort);
        ConnectionStringExpression = ReferenceExpression.Create(
            $"{PrimaryEndpoint.Host}:{PrimaryEndpoint.Port},password={Password}");
    }

    public override string Type => "Redis";

    public ParameterResource Password { get; }

    public EndpointAnnotation PrimaryEndpoint { get; }

    public ReferenceExpression ConnectionStringExpression { get; }

    public string? ExistingConnectionString { get; set; }
}
