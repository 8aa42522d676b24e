using System.Buffers.Binary;
using System.Buffers.Text;

namespace StockGod.Api.Apis;

/// <summary>Keyset position in a newest-first list (orders, notifications): (created_at, id) of the last item returned.</summary>
public readonly record struct PageCursor(DateTimeOffset CreatedAt, Guid Id)
{
    public override string ToString()
    {
        Span<byte> bytes = stackalloc byte[24];
        BinaryPrimitives.WriteInt64BigEndian(bytes, CreatedAt.UtcTicks);
        Id.TryWriteBytes(bytes[8..]);
        return Base64Url.EncodeToString(bytes);
    }

    public static PageCursor? TryParse(string value)
    {
        Span<byte> bytes = stackalloc byte[32];
        if (value.Length != 32 || !Base64Url.IsValid(value) || !Base64Url.TryDecodeFromChars(value, bytes, out var written) || written != 24)
        {
            return null;
        }

        var ticks = BinaryPrimitives.ReadInt64BigEndian(bytes);
        return ticks is < 0 or > 3155378975999999999 ? null : new PageCursor(new DateTimeOffset(ticks, TimeSpan.Zero), new Guid(bytes[8..24]));
    }
}
