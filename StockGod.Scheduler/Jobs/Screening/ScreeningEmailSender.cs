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

/// <summary>What became of one report's e-mail.</summary>
internal enum ReportMailOutcome
{
    /// <summary>The SMTP server took it.</summary>
    Sent,

    /// <summary>Not sent for a reason that concerns every report (not configured, the SMTP server down or refusing):
    /// worth trying again later.</summary>
    Failed,

    /// <summary>This run's report cannot be made into a mail (no report stored, or one the message cannot be built
    /// from): trying again will not help, and it must not hold up the others.</summary>
    Unmailable,
}

/// <summary>
/// Mails a finished screen (the top N as a text table, the sector breakdown, the exclusions, and the top N as a CSV
/// attachment) over SMTP. A failure is logged and does not touch the stored report or the notifications; what became
/// of the mail is returned, for <see cref="ScreeningReportMailer"/> to record.
/// </summary>
internal sealed partial class ScreeningEmailSender(IOptions<ScreeningEmailOptions> options, ILogger<ScreeningEmailSender> logger)
{
    public async Task<ReportMailOutcome> SendAsync(ScreeningRun run, CancellationToken cancellationToken)
    {
        var settings = options.Value;
        if (!settings.IsConfigured)
        {
            return ReportMailOutcome.Failed;
        }

        if (run.Report is not { } report)
        {
            LogUnmailable(logger, run.Id, "no report is stored");
            return ReportMailOutcome.Unmailable;
        }

        MailMessage message;
        try
        {
            message = Addressed(settings);
        }
        catch (FormatException e)
        {
            // A sender or recipient the configuration got wrong concerns every report, not this one.
            LogFailed(logger, run.Id, settings.SmtpHost!, e.Message);
            return ReportMailOutcome.Failed;
        }

        try
        {
            AddReport(message, run.AsOf, report);
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            // Pure formatting of the stored report: whatever it throws, this report will throw again on every try.
            message.Dispose();
            LogUnmailable(logger, run.Id, e.Message);
            return ReportMailOutcome.Unmailable;
        }

        try
        {
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
            return ReportMailOutcome.Sent;
        }
        catch (Exception e) when (e is SmtpException or IOException or InvalidOperationException or FormatException)
        {
            LogFailed(logger, run.Id, settings.SmtpHost!, e.Message);
            return ReportMailOutcome.Failed;
        }
        finally
        {
            message.Dispose();
        }
    }

    /// <summary>An empty message from the configured sender to the configured recipients.</summary>
    private static MailMessage Addressed(ScreeningEmailOptions settings)
    {
        var message = new MailMessage { From = new MailAddress(settings.From!) };
        try
        {
            foreach (var to in settings.To)
            {
                message.To.Add(to);
            }
        }
        catch
        {
            message.Dispose();
            throw;
        }

        return message;
    }

    /// <summary>The report as subject, text body and CSV attachment.</summary>
    private static void AddReport(MailMessage message, DateOnly asOf, ScreeningResult report)
    {
        message.Subject = string.Create(CultureInfo.InvariantCulture, $"StockGod: top {report.Top.Count} picks as of {asOf:yyyy-MM-dd}");
        message.Body = Body(asOf, report);
        message.BodyEncoding = Encoding.UTF8;
        message.IsBodyHtml = false;
        var csv = Encoding.UTF8.GetBytes(ScreeningCsv.Write(report.Top));
        message.Attachments.Add(new Attachment(new MemoryStream(csv), $"screening-{asOf:yyyy-MM-dd}.csv", MediaTypeNames.Text.Csv));
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

    [LoggerMessage(LogLevel.Warning, "Screening run {RunId} has no report that can be mailed ({Reason}); it is left unsent and the later reports go on")]
    private static partial void LogUnmailable(ILogger logger, Guid runId, string reason);

    [LoggerMessage(LogLevel.Error, "Screening run {RunId} could not be mailed through {SmtpHost}: {Error}")]
    private static partial void LogFailed(ILogger logger, Guid runId, string smtpHost, string error);
}
