using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.SignalR;
using StockGod.Api.Identity;
using StockGod.Trading.Domain.Users;

namespace StockGod.Api.Realtime;

/// <summary>
/// The real-time stream. A connection joins its user's group (and the operators' group for operators) and only
/// receives what is sent to those groups; clients send nothing.
/// </summary>
[Authorize]
public sealed class StreamHub : Hub
{
    public const string Path = "/hubs/stream";

    public static string UserGroup(Guid userId) => $"user:{userId}";

    public const string OperatorsGroup = "operators";

    public override async Task OnConnectedAsync()
    {
        await Groups.AddToGroupAsync(Context.ConnectionId, UserGroup(Context.User!.GetUserId()));
        if (Context.User!.IsInRole(Roles.Operator))
        {
            await Groups.AddToGroupAsync(Context.ConnectionId, OperatorsGroup);
        }

        await base.OnConnectedAsync();
    }
}
