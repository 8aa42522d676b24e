using System.Globalization;
using System.Net;
using System.Net.Mail;
using System.Net.Mime;
using System.Text;
using Microsoft.Extensions.Options;
using StockGod.Trading.Domain.Research;
using StockGod.Trading.Screening;

namespace StockGod.Scheduler.Jobs.Screening;

/// <summary>The <c>Screening:Email</c> section. E-mail is sent only when a host, a sender and a recipient are set.</summary>
public sealed class ScreeningEmailOptions
{
    public const string SectionName = "Screening:Email";

    public string? SmtpHost { get; set; }

    public int SmtpPort { get; set; } = 25;

    public bool EnableSsl { get; set; }

    public string? From { get; set; }

    public List<string> To { get; set; } = [];

    public string? UserName { get; set; }

    /// <summary>From configuration (secrets) only; never logged.</summary>
    public string? Password { get; set; }

    /// <summary>After a failed send, how long this replica waits before it tries the unsent reports again.</summary>
    public TimeSpan RetryDelay { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>How long after its run finished a report is still mailed: older unsent ones (stored while e-mail was
    /// down or not configured) are left unsent rather than mailed late.</summary>
    public TimeSpan MaxReportAge { get; set; } = TimeSpan.FromDays(1);

    public bool IsConfigured => !string.IsNullOrWhiteSpace(SmtpHost) && !string.IsNullOrWhiteSpace(From) && To.Count > 0;
}

/// <summary>
/// Mails a finished screen (the top N as a text table, the sector breakdown, the exclusions, and the top N as a CSV
/// attachment) over SMTP. A failure is logged and does not touch the stored report or the notifications; whether the
/// mail went out is returned, for <see cref="ScreeningReportMailer"/> to record.
/// </summary>
internal sealed partial class ScreeningEmailSender(IOptions<ScreeningEmailOptions> options, ILogger<ScreeningEmailSender> logger)
{
    public async Task<bool> SendAsync(ScreeningRun run, CancellationToken cancellationToken)
    {
        var settings = options.Value;
        if (!settings.IsConfigured || run.Report is not { } report)
        {
            return false;
        }

        try
        {
            using var message = Compose(run.AsOf, report, settings);
            using var client = new SmtpClient(settings.SmtpHost, settings.SmtpPort)
            {
                EnableSsl = settings.EnableSsl,
                DeliveryMethod = SmtpDeliveryMethod.Network,
            };
            if (!string.IsNullOrEmpty(settings.UserName))
            {
                client.Credentials = new NetworkCredential(settings.UserName, settings.Password);
            }

            await client.SendMailAsync(message, cancellationToken);
            LogSent(logger, run.Id, settings.SmtpHost!, settings.To.Count);
            return true;
        }
        catch (Exception e) when (e is SmtpException or IOException or InvalidOperationException or FormatException)
        {
            LogFailed(logger, run.Id, settings.SmtpHost!, e.Message);
            return false;
        }
    }

    internal static MailMessage Compose(DateOnly asOf, ScreeningResult report, ScreeningEmailOptions settings)
    {
        var message = new MailMessage
        {
            From = new MailAddress(settings.From!),
            Subject = string.Create(CultureInfo.InvariantCulture, $"StockGod: top {report.Top.Count} picks as of {asOf:yyyy-MM-dd}"),
            Body = Body(asOf, report),
            BodyEncoding = Encoding.UTF8,
            IsBodyHtml = false,
        };
        foreach (var to in settings.To)
        {
            message.To.Add(to);
        }

        var csv = Encoding.UTF8.GetBytes(ScreeningCsv.Write(report.Top));
        message.Attachments.Add(new Attachment(new MemoryStream(csv), $"screening-{asOf:yyyy-MM-dd}.csv", MediaTypeNames.Text.Csv));
        return message;
    }

    private static string Body(DateOnly asOf, ScreeningResult report)
    {
        var text = new StringBuilder();
        var culture = CultureInfo.InvariantCulture;
        text.Append(culture, $"Screen of {report.UniverseSize} symbols as of {asOf:yyyy-MM-dd}: {report.Ranking.Count} ranked, {report.Excluded.Count} left out.\r\n\r\n");
        text.Append("Rank  Symbol  Score    Sector\r\n");
        foreach (var pick in report.Top)
        {
            text.Append(culture, $"{pick.Rank,4}  {pick.Symbol,-6}  {pick.Score,7:0.000}  {pick.Sector}\r\n");
        }

        text.Append("\r\nSectors (in top / scored):\r\n");
        foreach (var sector in report.Sectors)
        {
            text.Append(culture, $"  {sector.Sector}: {sector.InTop} / {sector.Scored}\r\n");
        }

        if (report.Excluded.Count > 0)
        {
            text.Append("\r\nLeft out:\r\n");
            foreach (var exclusion in report.Excluded)
            {
                text.Append(culture, $"  {exclusion.Symbol}: {exclusion.Reason}\r\n");
            }
        }

        return text.ToString();
    }

    [LoggerMessage(LogLevel.Information, "Screening run {RunId} mailed through {SmtpHost} to {Recipients} recipients")]
    private static partial void LogSent(ILogger logger, Guid runId, string smtpHost, int recipients);

    [LoggerMessage(LogLevel.Error, "Screening run {RunId} could not be mailed through {SmtpHost}: {Error}")]
    private static partial void LogFailed(ILogger logger, Guid runId, string smtpHost, string error);
}
