using System.Threading.Channels;

namespace StockGod.Api.Realtime;

/// <summary>
/// The hub connections open on THIS replica and their users. The price stream subscribes for these users' symbols
/// only and sends each price to these connections directly (a local write, no backplane round trip), so two replicas
/// serving the same user never deliver the same price twice.
/// </summary>
public sealed class StreamConnections
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, Guid> _userByConnection = new(StringComparer.Ordinal);
    private readonly Dictionary<Guid, List<string>> _connectionsByUser = [];

    // One pending signal is enough: the reader re-reads the whole set when it wakes.
    private readonly Channel<bool> _usersChanged = Channel.CreateBounded<bool>(new BoundedChannelOptions(1) { FullMode = BoundedChannelFullMode.DropWrite });

    /// <summary>Signalled when a user gets their first connection here or loses their last one.</summary>
    public ChannelReader<bool> UsersChanged => _usersChanged.Reader;

    public void Add(string connectionId, Guid userId)
    {
        bool firstOfUser;
        lock (_gate)
        {
            _userByConnection[connectionId] = userId;
            firstOfUser = !_connectionsByUser.TryGetValue(userId, out var connections);
            if (firstOfUser)
            {
                _connectionsByUser[userId] = connections = [];
            }

            connections!.Add(connectionId);
        }

        if (firstOfUser)
        {
            _usersChanged.Writer.TryWrite(true);
        }
    }

    public void Remove(string connectionId)
    {
        bool lastOfUser;
        lock (_gate)
        {
            if (!_userByConnection.Remove(connectionId, out var userId))
            {
                return;
            }

            var connections = _connectionsByUser[userId];
            connections.Remove(connectionId);
            lastOfUser = connections.Count == 0;
            if (lastOfUser)
            {
                _connectionsByUser.Remove(userId);
            }
        }

        if (lastOfUser)
        {
            _usersChanged.Writer.TryWrite(true);
        }
    }

    public IReadOnlyCollection<Guid> Users()
    {
        lock (_gate)
        {
            return [.. _connectionsByUser.Keys];
        }
    }

    /// <summary>The connections here of any of <paramref name="userIds"/>; empty when none is connected.</summary>
    public List<string> ConnectionsOf(IEnumerable<Guid> userIds)
    {
        var result = new List<string>();
        lock (_gate)
        {
            foreach (var userId in userIds)
            {
                if (_connectionsByUser.TryGetValue(userId, out var connections))
                {
                    result.AddRange(connections);
                }
            }
        }

        return result;
    }
}
