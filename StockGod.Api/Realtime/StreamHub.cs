using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.SignalR;
using StockGod.Api.Identity;
using StockGod.Trading.Domain.Users;

namespace StockGod.Api.Realtime;

/// <summary>
/// The real-time stream. A connection joins its user's group (and the operators' group for operators) and only
/// receives what is sent to those groups (and the prices of its user's symbols, <see cref="PriceStream"/>); clients
/// send nothing.
/// </summary>
[Authorize]
public sealed class StreamHub(StreamConnections connections) : Hub
{
    public const string Path = "/hubs/stream";

    public static string UserGroup(Guid userId) => $"user:{userId}";

    public const string OperatorsGroup = "operators";

    public override async Task OnConnectedAsync()
    {
        var userId = Context.User!.GetUserId();
        await Groups.AddToGroupAsync(Context.ConnectionId, UserGroup(userId));
        if (Context.User!.IsInRole(Roles.Operator))
        {
            await Groups.AddToGroupAsync(Context.ConnectionId, OperatorsGroup);
        }

        connections.Add(Context.ConnectionId, userId);
        await base.OnConnectedAsync();
    }

    public override Task OnDisconnectedAsync(Exception? exception)
    {
        connections.Remove(Context.ConnectionId);
        return base.OnDisconnectedAsync(exception);
    }
}
