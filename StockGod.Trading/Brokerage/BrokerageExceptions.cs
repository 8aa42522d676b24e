namespace StockGod.Trading.Brokerage;

/// <summary>A broker refused or failed a request. <see cref="IsTransient"/> says whether trying again later may succeed.</summary>
public class BrokerageException(string message, bool isTransient = false, Exception? inner = null) : Exception(message, inner)
{
    public bool IsTransient { get; } = isTransient;
}

public sealed class InsufficientBuyingPowerException(string message) : BrokerageException(message);

public sealed class InsufficientSharesException(string message) : BrokerageException(message);

public sealed class InvalidOrderException(string message) : BrokerageException(message);

public sealed class BrokerageNotFoundException(string message) : BrokerageException(message);

public sealed class OrderNotCancelableException(string message) : BrokerageException(message);

public sealed class BrokerageUnauthorizedException(string message) : BrokerageException(message);

public sealed class MarketClosedException(string message) : BrokerageException(message);

public sealed class BrokerageRateLimitedException(string message, TimeSpan? retryAfter)
    : BrokerageException(message, isTransient: true)
{
    public TimeSpan? RetryAfter { get; } = retryAfter;
}

/// <summary>The broker could not be reached or answered 5xx; the request may or may not have taken effect.</summary>
public sealed class BrokerageUnavailableException(string message, Exception? inner = null)
    : BrokerageException(message, isTransient: true, inner);
