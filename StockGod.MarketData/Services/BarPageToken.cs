using System.Buffers.Text;
using System.Globalization;
using System.Text;
using Grpc.Core;
using StockGod.MarketData.Providers.Simulation;

namespace StockGod.MarketData.Services;

/// <summary>
/// Where the next page of bars starts: after <see cref="LastTimestamp"/> of <see cref="Symbol"/> (symbols are
/// served in ordinal order). It also pins the page's end (which defaults to "now") and a fingerprint of the
/// request, so a token cannot be replayed against a different query.
/// </summary>
internal readonly record struct BarPageToken(string Symbol, DateTimeOffset LastTimestamp, DateTimeOffset End, ulong Fingerprint)
{
    public static ulong FingerprintOf(IEnumerable<string> sortedSymbols, string timeframe, DateTimeOffset start) =>
        DeterministicRandom.Hash($"{string.Join(',', sortedSymbols)}|{timeframe}|{start.UtcTicks}");

    public string Encode() => Base64Url.EncodeToString(Encoding.UTF8.GetBytes(
        string.Create(CultureInfo.InvariantCulture, $"1|{Fingerprint}|{End.UtcTicks}|{Symbol}|{LastTimestamp.UtcTicks}")));

    public static BarPageToken Decode(string token)
    {
        try
        {
            var parts = Encoding.UTF8.GetString(Base64Url.DecodeFromChars(token)).Split('|');
            if (parts is ["1", var fingerprint, var end, var symbol, var last])
            {
                return new BarPageToken(
                    symbol,
                    new DateTimeOffset(long.Parse(last, CultureInfo.InvariantCulture), TimeSpan.Zero),
                    new DateTimeOffset(long.Parse(end, CultureInfo.InvariantCulture), TimeSpan.Zero),
                    ulong.Parse(fingerprint, CultureInfo.InvariantCulture));
            }
        }
        catch (Exception ex) when (ex is FormatException or OverflowException or ArgumentException)
        {
        }

        throw new RpcException(new Status(StatusCode.InvalidArgument, "page_token is malformed: pass next_page_token back unchanged."));
    }
}
