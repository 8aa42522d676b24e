using Microsoft.AspNetCore.OpenApi;
using Microsoft.OpenApi;

namespace StockGod.Api.Infrastructure;

/// <summary>Documents decimals as what <see cref="DecimalStringJsonConverter"/> puts on the wire: strings with a pattern.</summary>
internal sealed class DecimalStringSchemaTransformer : IOpenApiSchemaTransformer
{
    public Task TransformAsync(OpenApiSchema schema, OpenApiSchemaTransformerContext context, CancellationToken cancellationToken)
    {
        var type = context.JsonTypeInfo.Type;
        if (type == typeof(decimal) || type == typeof(decimal?))
        {
            schema.Type = type == typeof(decimal) ? JsonSchemaType.String : JsonSchemaType.String | JsonSchemaType.Null;
            schema.Format = "decimal";
            schema.Pattern = DecimalStringJsonConverter.Pattern;
        }

        return Task.CompletedTask;
    }
}
