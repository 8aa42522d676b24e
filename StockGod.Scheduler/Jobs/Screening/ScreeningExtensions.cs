using StockGod.Trading.Screening.Distributed;

namespace StockGod.Scheduler.Jobs.Screening;

internal static class ScreeningExtensions
{
    /// <summary>Screening runs, this replica's chunk workers and the e-mail of finished screens.</summary>
    public static IHostApplicationBuilder AddScreeningWorker(this IHostApplicationBuilder builder)
    {
        builder.AddScreeningRuns();
        builder.Services.AddOptions<ScreeningEmailOptions>().BindConfiguration(ScreeningEmailOptions.SectionName);
        builder.Services.AddSingleton<ScreeningEmailSender>();
        builder.Services.AddSingleton<ScreeningReportMailer>();
        builder.Services.AddHostedService<ScreeningWorker>();
        return builder;
    }
}
