using System.Runtime.CompilerServices;
using System.Text;

namespace StockGod.AppHost.Hosting.ApplicationModel;

/// <summary>
/// A value known in two forms: the concrete string a local run injects, and the manifest placeholder
/// (<c>{postgres.bindings.tcp.port}</c>) a deployment tool resolves for its target platform.
/// </summary>
public interface IValueExpression
{
    /// <summary>The manifest form, e.g. <c>{redis.connectionString}</c>.</summary>
    string ValueExpression { get; }

    /// <summary>The run-mode value; only available once the run has allocated ports and resolved parameters.</summary>
    string GetValue();
}

/// <summary>Literal text with value holes, as Aspire's <c>ReferenceExpression</c>: <c>ReferenceExpression.Create($"Host={endpoint.Host};…")</c>.</summary>
public sealed class ReferenceExpression : IValueExpression
{
    private readonly IReadOnlyList<object> _parts;

    private ReferenceExpression(IReadOnlyList<object> parts) => _parts = parts;

    public static ReferenceExpression Create(ref ExpressionInterpolatedStringHandler handler) => new(handler.Parts);

    public string ValueExpression => Render(part => part.ValueExpression);

    public string GetValue() => Render(part => part.GetValue());

    /// <summary>The values this expression is made of (for finding the resources a reference depends on).</summary>
    public IEnumerable<IValueExpression> Values => _parts.OfType<IValueExpression>();

    private string Render(Func<IValueExpression, string> valueOf)
    {
        var text = new StringBuilder();
        foreach (var part in _parts)
        {
            text.Append(part is IValueExpression value ? valueOf(value) : (string)part);
        }

        return text.ToString();
    }

    [InterpolatedStringHandler]
    public readonly struct ExpressionInterpolatedStringHandler
    {
        // The parameters are required by the interpolated string handler pattern.
#pragma warning disable IDE0060
        public ExpressionInterpolatedStringHandler(int literalLength, int formattedCount) => Parts = [];
#pragma warning restore IDE0060

        internal List<object> Parts { get; }

        public void AppendLiteral(string value) => Parts.Add(value);

        public void AppendFormatted(string value) => Parts.Add(value);

        public void AppendFormatted(IValueExpression value) => Parts.Add(value);
    }
}
