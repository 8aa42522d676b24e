using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Http.Json;
using Microsoft.Extensions.Options;
using Microsoft.Net.Http.Headers;

using StockGod.Trading.Text;

namespace StockGod.Api.Exports;

public enum ExportFormat
{
    Csv,
    Json,
}

/// <summary>
/// Rows streamed from the database to the client as a CSV file or a JSON array, as they are read: an export of any
/// size holds one row in memory, not the whole file. A download, named by Content-Disposition.
/// </summary>
public sealed class ExportResult<T>(string fileName, ExportFormat format, IAsyncEnumerable<T> rows, IReadOnlyList<CsvColumn<T>> columns)
    : IResult, IContentTypeHttpResult, IStatusCodeHttpResult
{
    // Rows are flushed in chunks of about this many bytes, so a slow client holds back the database reader, not memory.
    private const int FlushThreshold = 32 * 1024;

    public string ContentType => format == ExportFormat.Csv ? "text/csv; charset=utf-8" : "application/json; charset=utf-8";

    public int? StatusCode => StatusCodes.Status200OK;

    public async Task ExecuteAsync(HttpContext httpContext)
    {
        var response = httpContext.Response;
        var cancellationToken = httpContext.RequestAborted;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = ContentType;
        var disposition = new ContentDispositionHeaderValue("attachment");
        disposition.SetHttpFileName($"{fileName}.{(format == ExportFormat.Csv ? "csv" : "json")}");
        response.Headers.ContentDisposition = disposition.ToString();

        if (format == ExportFormat.Json)
        {
            var options = httpContext.RequestServices.GetRequiredService<IOptions<JsonOptions>>().Value.SerializerOptions;
            await JsonSerializer.SerializeAsync(response.Body, rows, options, cancellationToken);
            return;
        }

        await using var writer = new StreamWriter(response.Body, new UTF8Encoding(encoderShouldEmitUTF8Identifier: false), bufferSize: 16 * 1024, leaveOpen: true);
        var line = new StringBuilder();
        await writer.WriteAsync(string.Join(',', columns.Select(c => Csv.Field(c.Header))) + Csv.LineBreak);
        var pending = 0;
        await foreach (var row in rows.WithCancellation(cancellationToken))
        {
            line.Clear();
            for (var i = 0; i < columns.Count; i++)
            {
                line.Append(i == 0 ? string.Empty : ",").Append(Csv.Field(columns[i].Value(row)));
            }

            line.Append(Csv.LineBreak);
            await writer.WriteAsync(line, cancellationToken);
            pending += line.Length;
            if (pending >= FlushThreshold)
            {
                await writer.FlushAsync(cancellationToken);
                pending = 0;
            }
        }

        await writer.FlushAsync(cancellationToken);
    }
}
