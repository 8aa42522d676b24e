namespace StockGod.AppHost.Hosting.ApplicationModel;

/// <summary>A PostgreSQL server: a <c>postgres</c> container in the manifest, the machine's PostgreSQL in a local run.</summary>
public sealed class PostgresServerResource : Resource, IResourceWithConnectionString
{
    public const string UserName = "postgres";
    public const string Image = "docker.io/library/postgres";
    public const string ImageTag = "17.6";
    public const int DefaultPort = 5432;

    private readonly List<PostgresDatabaseResource> _databases = [];

    public PostgresServerResource(string name, ParameterResource password) : base(name)
    {
        Password = password;
        PrimaryEndpoint = new EndpointAnnotation(this, "tcp", "tcp", "tcp", DefaultPort);
        ConnectionStringExpression = ReferenceExpression.Create(
            $"Host={PrimaryEndpoint.Host};Port={PrimaryEndpoint.Port};Username={UserName};Password={Password}");
    }

    public override string Type => "PostgreSQL";

    public ParameterResource Password { get; }

    public EndpointAnnotation PrimaryEndpoint { get; }

    public IReadOnlyList<PostgresDatabaseResource> Databases => _databases;

    public ReferenceExpression ConnectionStringExpression { get; }

    public string? ExistingConnectionString { get; set; }

    internal void AddDatabase(PostgresDatabaseResource database) => _databases.Add(database);
}

/// <summary>A database of a PostgreSQL server; created when the server is ready (as Aspire 9+ does).</summary>
public sealed class PostgresDatabaseResource : Resource, IResourceWithConnectionString, IResourceWithParent
{
    public PostgresDatabaseResource(string name, string databaseName, PostgresServerResource server) : base(name)
    {
        DatabaseName = databaseName;
        Server = server;
        ConnectionStringExpression = ReferenceExpression.Create(
            $"{new ConnectionStringReference(server)};Database={databaseName}");
    }

    public override string Type => "Database";

    public string DatabaseName { get; }

    public PostgresServerResource Server { get; }

    Resource IResourceWithParent.Parent => Server;

    public ReferenceExpression ConnectionStringExpression { get; }

    public string? ExistingConnectionString { get; set; }
}
