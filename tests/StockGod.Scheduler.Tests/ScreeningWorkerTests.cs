using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using StockGod.Scheduler.Jobs.Screening;
using StockGod.Scheduler.Tests.Support;
using StockGod.Testing;
using StockGod.Testing.Screening;
using StockGod.Trading.Domain.Research;
using StockGod.Trading.Market;
using StockGod.Trading.Screening;
using StockGod.Trading.Screening.Distributed;

namespace StockGod.Scheduler.Tests;

/// <summary>The Scheduler's screening worker loop over real PostgreSQL and real bars, mailing the finished screen to an in-process SMTP server.</summary>
public sealed class ScreeningWorkerTests
{
    private static readonly Dictionary<string, string?> FourSymbols = new()
    {
        ["Screening:Symbols:0"] = "AAPL", ["Screening:Symbols:1"] = "MSFT", ["Screening:Symbols:2"] = "XOM", ["Screening:Symbols:3"] = "KO",
        ["Screening:ChunkSize"] = "2",
    };

    [Fact]
    public async Task Worker_woken_by_a_new_run_completes_it_and_mails_the_top_picks_with_the_csv()
    {
        var market = new HistoricalMarketData(SharedData.DailyBars.BarsBySymbol);
        await using var host = await ScreeningTestHost.StartAsync(market, TimeProvider.System, FourSymbols);
        await using var smtp = new FakeSmtpServer();
        var mail = new ScreeningEmailOptions { SmtpHost = "127.0.0.1", SmtpPort = smtp.Port, From = "screens@stockgod.test", To = ["ops@stockgod.test", "desk@stockgod.test"] };
        var options = host.Services.GetRequiredService<IOptions<ScreeningOptions>>();
        options.Value.PollInterval = TimeSpan.FromHours(1); // only the wake-up can start the work
        var worker = new ScreeningWorker(
            host.Processor,
            host.Services.GetRequiredService<ScreeningWorkSignal>(),
            Mailer(host, mail, TimeProvider.System),
            options,
            TimeProvider.System,
            NullLogger<ScreeningWorker>.Instance);

        using var stop = CancellationTokenSource.CreateLinkedTokenSource(TestContext.Current.CancellationToken);
        var loop = worker.RunAsync("test-worker", stop.Token);
        var run = await host.StartRunAsync(new ScreeningSettings { AsOf = new DateOnly(2018, 2, 7), TopN = 3 });
        var received = await smtp.Messages.ReadAsync(TestContext.Current.CancellationToken);
        await stop.CancelAsync();
        await loop;

        var stored = await host.LoadRunAsync(run.Id);
        Assert.Equal(ScreeningRunStatus.Completed, stored.Status);
        Assert.Equal("screens@stockgod.test", received.From);
        Assert.Equal(["ops@stockgod.test", "desk@stockgod.test"], received.To);
        Assert.Contains("Subject: StockGod: top 3 picks as of 2018-02-07", received.Data, StringComparison.Ordinal);
        var top = stored.Report!.Top;
        Assert.Equal(3, top.Count);
        var parts = MimeParts(received.Data);
        var text = parts.Single(p => p.Headers.Contains("text/plain", StringComparison.Ordinal)).Content;
        Assert.All(top, pick => Assert.Contains($"{pick.Rank,4}  {pick.Symbol,-6}", text, StringComparison.Ordinal));
        var csv = parts.Single(p => p.Headers.Contains("screening-2018-02-07.csv", StringComparison.Ordinal)).Content;
        Assert.Equal(ScreeningCsv.Write(top), csv);
    }

    [Fact]
    public async Task A_report_left_unsent_by_a_worker_that_died_after_storing_it_is_mailed_by_a_later_pass_exactly_once()
    {
        var market = new HistoricalMarketData(SharedData.DailyBars.BarsBySymbol);
        await using var host = await ScreeningTestHost.StartAsync(market, TimeProvider.System, FourSymbols);
        await using var smtp = new FakeSmtpServer();
        var mail = new ScreeningEmailOptions { SmtpHost = "127.0.0.1", SmtpPort = ClosedPort(), From = "screens@stockgod.test", To = ["ops@stockgod.test"] };
        var time = new FakeTimeProvider(DateTimeOffset.FromUnixTimeSeconds(DateTimeOffset.UtcNow.ToUnixTimeSeconds())); // whole seconds, as PostgreSQL stores them exactly
        var mailer = Mailer(host, mail, time);

        // The crash window: the run's last chunk is completed and the report committed, and its worker is gone
        // before it mails anything (the processor alone, as the worker runs it, without the mail that follows).
        var run = await host.StartRunAsync(new ScreeningSettings { AsOf = new DateOnly(2018, 2, 7), TopN = 3 });
        Assert.Contains(await host.DrainAsync(), o => o.CompletedRun?.Id == run.Id);
        Assert.Null((await host.LoadRunAsync(run.Id)).ReportSentAt);

        // The next pass cannot reach the SMTP server: the report stays unsent, and passes pause for the retry delay.
        Assert.Equal(0, await mailer.SendUnsentAsync(TestContext.Current.CancellationToken));
        Assert.Null((await host.LoadRunAsync(run.Id)).ReportSentAt);
        mail.SmtpPort = smtp.Port;
        Assert.Equal(0, await mailer.SendUnsentAsync(TestContext.Current.CancellationToken));
        Assert.False(smtp.Messages.TryRead(out _));

        time.Advance(mail.RetryDelay);
        Assert.Equal(1, await mailer.SendUnsentAsync(TestContext.Current.CancellationToken));
        var received = await smtp.Messages.ReadAsync(TestContext.Current.CancellationToken);
        Assert.Contains("Subject: StockGod: top 3 picks as of 2018-02-07", received.Data, StringComparison.Ordinal);
        Assert.Equal(time.GetUtcNow(), (await host.LoadRunAsync(run.Id)).ReportSentAt);

        // Recorded as sent: no later pass mails it again.
        Assert.Equal(0, await mailer.SendUnsentAsync(TestContext.Current.CancellationToken));
        Assert.False(smtp.Messages.TryRead(out _));
    }

    [Fact]
    public async Task Runs_whose_report_cannot_be_mailed_are_passed_over_and_do_not_hold_up_the_later_reports()
    {
        var market = new HistoricalMarketData(SharedData.DailyBars.BarsBySymbol);
        await using var host = await ScreeningTestHost.StartAsync(market, TimeProvider.System, FourSymbols);
        await using var smtp = new FakeSmtpServer();
        var mail = new ScreeningEmailOptions { SmtpHost = "127.0.0.1", SmtpPort = smtp.Port, From = "screens@stockgod.test", To = ["ops@stockgod.test"] };
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        var mailer = Mailer(host, mail, time);

        // Oldest first: a run whose stored report is JSON null (no report to build a mail from), one whose report
        // no longer reads back as a report, then a good one.
        var noReport = await CompletedRunAsync(host, new DateOnly(2018, 2, 7));
        var unreadable = await CompletedRunAsync(host, new DateOnly(2018, 2, 8));
        var good = await CompletedRunAsync(host, new DateOnly(2018, 2, 9));
        await using (var db = host.CreateDbContext())
        {
            await db.Database.ExecuteSqlAsync($"UPDATE screening_runs SET report = 'null'::jsonb WHERE id = {noReport.Id}", TestContext.Current.CancellationToken);
            await db.Database.ExecuteSqlAsync($"UPDATE screening_runs SET report = '[1, 2]'::jsonb WHERE id = {unreadable.Id}", TestContext.Current.CancellationToken);
        }

        Assert.Equal(1, await mailer.SendUnsentAsync(TestContext.Current.CancellationToken));
        var received = await smtp.Messages.ReadAsync(TestContext.Current.CancellationToken);
        Assert.Contains("picks as of 2018-02-09", received.Data, StringComparison.Ordinal);
        Assert.NotNull((await host.LoadRunAsync(good.Id)).ReportSentAt);

        // The bad ones stay unsent (nothing was mailed for them) and are not tried again; no pause either: a report
        // completed afterwards goes out on the next pass, at the same instant.
        var later = await CompletedRunAsync(host, new DateOnly(2018, 2, 12));
        Assert.Equal(1, await mailer.SendUnsentAsync(TestContext.Current.CancellationToken));
        received = await smtp.Messages.ReadAsync(TestContext.Current.CancellationToken);
        Assert.Contains("picks as of 2018-02-12", received.Data, StringComparison.Ordinal);
        Assert.NotNull((await host.LoadRunAsync(later.Id)).ReportSentAt);
        Assert.Equal(0, await mailer.SendUnsentAsync(TestContext.Current.CancellationToken));
        Assert.False(smtp.Messages.TryRead(out _));
        await using (var db = host.CreateDbContext())
        {
            var unsent = await db.Database.SqlQuery<Guid>($"SELECT id AS \"Value\" FROM screening_runs WHERE report_sent_at IS NULL ORDER BY finished_at")
                .ToListAsync(TestContext.Current.CancellationToken);
            Assert.Equal([noReport.Id, unreadable.Id], unsent);
        }
    }

    private static async Task<ScreeningRun> CompletedRunAsync(ScreeningTestHost host, DateOnly asOf)
    {
        var run = await host.StartRunAsync(new ScreeningSettings { AsOf = asOf, TopN = 3 });
        Assert.Contains(await host.DrainAsync(), o => o.CompletedRun?.Id == run.Id);
        return run;
    }

    /// <summary>A loopback port nothing listens on (connections to it are refused).</summary>
    private static int ClosedPort()
    {
        var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        var port = ((IPEndPoint)listener.LocalEndpoint).Port;
        listener.Stop();
        return port;
    }

    private static ScreeningReportMailer Mailer(ScreeningTestHost host, ScreeningEmailOptions mail, TimeProvider time) => new(
        host.Services.GetRequiredService<IServiceScopeFactory>(),
        new ScreeningEmailSender(Options.Create(mail), NullLogger<ScreeningEmailSender>.Instance),
        Options.Create(mail),
        time,
        NullLogger<ScreeningReportMailer>.Instance);

    /// <summary>The parts of a multipart message: headers, and content with base64 decoded.</summary>
    private static List<(string Headers, string Content)> MimeParts(string data)
    {
        var boundary = Regex.Match(data, "boundary=\"?([^\";\r\n]+)\"?").Groups[1].Value;
        var parts = new List<(string, string)>();
        foreach (var part in data.Split("--" + boundary).Skip(1))
        {
            var split = part.IndexOf("\r\n\r\n", StringComparison.Ordinal);
            if (split < 0)
            {
                continue;
            }

            var (headers, content) = (part[..split], part[(split + 4)..].TrimEnd('\r', '\n'));
            parts.Add((headers, headers.Contains("base64", StringComparison.OrdinalIgnoreCase)
                ? Encoding.UTF8.GetString(Convert.FromBase64String(content.Replace("\r\n", string.Empty, StringComparison.Ordinal)))
                : content));
        }

        return parts;
    }
}
