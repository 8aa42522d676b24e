using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace StockGod.Scheduler.Jobs.Strategies;

/// <summary>
/// The identities of what one firing decides, derived from (strategy, symbol, scheduled fire time) alone, so a retried
/// or duplicated firing arrives at the same ids: the broker and the orders table refuse a second order with the same
/// client_order_id, and the job looks the first one up instead.
/// </summary>
internal static class StrategyOrderIds
{
    /// <summary><c>se-{strategy}-{symbol}-{yyyyMMddTHHmmssZ}</c>: at most 3 + 32 + 1 + 16 + 1 + 16 = 69 of Alpaca's 128 characters.</summary>
    public static string ClientOrderId(Guid strategyId, string symbol, DateTimeOffset fireTime) =>
        string.Create(CultureInfo.InvariantCulture, $"se-{strategyId:N}-{symbol}-{fireTime.UtcDateTime:yyyyMMdd'T'HHmmss'Z'}");

    /// <summary>The signal row's id: a name-based UUID (version 8) of the same key, so a rerun finds the row it wrote.</summary>
    public static Guid SignalId(Guid strategyId, string symbol, DateTimeOffset fireTime)
    {
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(Encoding.UTF8.GetBytes(ClientOrderId(strategyId, symbol, fireTime)), hash);
        var bytes = hash[..16];
        bytes[6] = (byte)((bytes[6] & 0x0F) | 0x80); // version 8 (custom)
        bytes[8] = (byte)((bytes[8] & 0x3F) | 0x80); // RFC 9562 variant
        return new Guid(bytes, bigEndian: true);
    }
}
