namespace StockGod.AppHost.Hosting;

public enum DistributedApplicationOperation
{
    /// <summary>Start everything locally.</summary>
    Run,

    /// <summary>Write the deployment manifest and exit.</summary>
    Publish,
}

/// <summary>Whether this invocation runs the application or publishes it (<c>--publisher manifest --output-path …</c>).</summary>
public sealed class DistributedApplicationExecutionContext(DistributedApplicationOperation operation, string? publisherName, string? outputPath)
{
    public DistributedApplicationOperation Operation { get; } = operation;

    public string? PublisherName { get; } = publisherName;

    public string? OutputPath { get; } = outputPath;

    public bool IsRunMode => Operation == DistributedApplicationOperation.Run;

    public bool IsPublishMode => Operation == DistributedApplicationOperation.Publish;
}
