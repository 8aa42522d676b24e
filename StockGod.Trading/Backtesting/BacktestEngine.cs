using System.Collections.Immutable;
using System.Globalization;
using StockGod.Trading.Risk;
using StockGod.Trading.Strategies;

namespace StockGod.Trading.Backtesting;

/// <summary>
/// Replays daily bars through a built-in strategy, created by the <see cref="StrategyRegistry"/> from the same JSON
/// parameters live trading stores, and through the live <see cref="PositionSizer"/>. Each day: pending orders fill
/// at the open, the day's bars complete, equity is marked at the close, the strategy decides on the completed bars
/// and the sizer turns its signals into orders for the NEXT open. A strategy never sees a bar before its close:
/// per-symbol strategies get each bar only after it completes, the others a <see cref="StrategyContext"/> as of the
/// close. Deterministic: symbols are processed in ordinal order and nothing depends on hashing or the clock.
/// </summary>
public sealed class BacktestEngine(StrategyRegistry registry, IMarketCalendar calendar)
{
    public BacktestEngine()
        : this(StrategyRegistry.Default, NyseCalendar.Instance)
    {
    }

    public BacktestResult Run(
        BacktestSettings settings,
        IReadOnlyDictionary<string, ImmutableArray<Bar>> barsBySymbol,
        IProgress<BacktestProgress>? progress = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(settings);
        return Run(settings, BacktestMarket.Create(barsBySymbol, settings.Universe, settings.Start, settings.End), progress, cancellationToken);
    }

    /// <summary>Runs over a market prepared for the settings' universe and range (reusable across runs).</summary>
    public BacktestResult Run(
        BacktestSettings settings,
        BacktestMarket market,
        IProgress<BacktestProgress>? progress = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(settings);
        ArgumentNullException.ThrowIfNull(market);
        var problems = settings.Validate().ToList();
        var creation = registry.Create(settings.StrategyType, settings.ParametersJson);
        problems.AddRange(creation.Errors.Select(e => $"{e.Field}: {e.Message}"));
        if (market.Days.Count == 0)
        {
            problems.Add("no bars for the universe in the date range");
        }

        if (problems.Count > 0 || creation.Strategy is null)
        {
            throw new ArgumentException($"Cannot run the backtest: {string.Join("; ", problems)}.", nameof(settings));
        }

        var simulation = new Simulation(settings, market, creation.Strategy, calendar);
        simulation.Run(progress, cancellationToken);
        return simulation.Result(EqualWeightBuyAndHold.Run(market, settings));
    }

    private readonly record struct PendingOrder(int Symbol, OrderSide Side, decimal Quantity, DateOnly DecidedOn, string Reason);

    /// <summary>One run's state, in arrays indexed by the market's symbol order.</summary>
    private sealed class Simulation
    {
        private readonly BacktestSettings _settings;
        private readonly BacktestMarket _market;
        private readonly IStrategy _strategy;
        private readonly IMarketCalendar _calendar;
        private readonly ISymbolEvaluator[]? _evaluators;
        private readonly Dictionary<string, int> _symbolIndex;

        private readonly int[] _cursor;
        private readonly int[] _lastBarDay;
        private readonly decimal[] _lastClose;
        private readonly decimal[] _quantity;
        private readonly decimal[] _averageEntry;
        private readonly decimal[] _buyValue;
        private readonly decimal[] _tradeCommission;
        private readonly DateOnly[] _entryDate;
        private readonly bool[] _hasPendingOrder;

        private readonly List<PendingOrder> _pending = [];
        private readonly List<StrategySignal> _signals = [];
        private readonly List<BacktestFill> _fills = [];
        private readonly List<BacktestTrade> _trades = [];
        private readonly List<string> _unfilled = [];
        private readonly EquityPoint[] _curve;
        private decimal _cash;
        private decimal _tradedValue;

        public Simulation(BacktestSettings settings, BacktestMarket market, IStrategy strategy, IMarketCalendar calendar)
        {
            _settings = settings;
            _market = market;
            _strategy = strategy;
            _calendar = calendar;
            var count = market.Symbols.Count;
            if (strategy is IPerSymbolStrategy perSymbol)
            {
                _evaluators = new ISymbolEvaluator[count];
                for (var s = 0; s < count; s++)
                {
                    _evaluators[s] = perSymbol.CreateEvaluator();
                }
            }

            _symbolIndex = new Dictionary<string, int>(count, StringComparer.Ordinal);
            for (var s = 0; s < count; s++)
            {
                _symbolIndex[market.Symbols[s]] = s;
            }

            _cursor = new int[count];
            _lastBarDay = new int[count];
            Array.Fill(_lastBarDay, -1);
            _lastClose = new decimal[count];
            _quantity = new decimal[count];
            _averageEntry = new decimal[count];
            _buyValue = new decimal[count];
            _tradeCommission = new decimal[count];
            _entryDate = new DateOnly[count];
            _hasPendingOrder = new bool[count];
            _curve = new EquityPoint[market.Days.Count];
            _cash = settings.InitialCash;
        }

        public void Run(IProgress<BacktestProgress>? progress, CancellationToken cancellationToken)
        {
            var days = _market.Days.Count;
            var reportEvery = Math.Max(1, days / 100);
            for (var d = 0; d < days; d++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                FillPendingOrdersAtOpen(d);
                CompleteBars(d);
                MarkToMarket(d);
                Decide(d);
                if (progress is not null && ((d + 1) % reportEvery == 0 || d == days - 1))
                {
                    progress.Report(new BacktestProgress(d + 1, days));
                }
            }

            foreach (var order in _pending)
            {
                _unfilled.Add(Describe(order, "no later bar to fill at"));
            }
        }

        public BacktestResult Result(PerformanceReport benchmark)
        {
            var lastDay = _market.Days[^1];
            for (var s = 0; s < _quantity.Length; s++)
            {
                if (_quantity[s] > 0m)
                {
                    var value = _quantity[s] * _lastClose[s];
                    _trades.Add(new BacktestTrade(_market.Symbols[s], _entryDate[s], _averageEntry[s], lastDay, _lastClose[s], _quantity[s],
                        _tradeCommission[s], value - _buyValue[s] - _tradeCommission[s], IsOpen: true));
                }
            }

            var returns = PerformanceStatistics.DailyReturns(_settings.InitialCash, _curve);
            var statistics = PerformanceStatistics.Compute(_settings.InitialCash, _curve, returns, _trades, _tradedValue, _settings.RiskFreeRate);
            return new BacktestResult(_settings, new PerformanceReport(_curve, returns, _trades, statistics), benchmark, _fills, _unfilled,
                _market.MissingSymbols, _market.BarCount);
        }

        private bool HasBarOn(int s, int day) => _cursor[s] < _market.Bars[s].Length && _market.DayIndexes[s][_cursor[s]] == day;

        private void FillPendingOrdersAtOpen(int day)
        {
            if (_pending.Count == 0)
            {
                return;
            }

            // Orders keep the sizer's order (sells first, so their proceeds fund the buys); a symbol without a bar
            // today keeps its order until its next bar.
            var kept = 0;
            for (var i = 0; i < _pending.Count; i++)
            {
                var order = _pending[i];
                if (HasBarOn(order.Symbol, day))
                {
                    Fill(order, day, _market.Bars[order.Symbol][_cursor[order.Symbol]].Open);
                    _hasPendingOrder[order.Symbol] = false;
                }
                else
                {
                    _pending[kept++] = order;
                }
            }

            _pending.RemoveRange(kept, _pending.Count - kept);
        }

        private void Fill(PendingOrder order, int day, decimal open)
        {
            var s = order.Symbol;
            var date = _market.Days[day];
            var price = ExecutionCosts.FillPrice(open, order.Side, _settings.SlippageBps);
            if (order.Side == OrderSide.Buy)
            {
                // Sized at yesterday's close: a gap up may leave too little cash for the whole order.
                var quantity = ExecutionCosts.AffordableQuantity(order.Quantity, price, _cash, _settings.Commission);
                if (quantity < 1m)
                {
                    _unfilled.Add(Describe(order, "not enough cash at the open"));
                    return;
                }

                var commission = _settings.Commission.CommissionFor(OrderSide.Buy, quantity, price);
                if (_quantity[s] == 0m)
                {
                    _entryDate[s] = date;
                    _buyValue[s] = 0m;
                    _tradeCommission[s] = 0m;
                }

                _cash -= (quantity * price) + commission;
                _quantity[s] += quantity;
                _buyValue[s] += quantity * price;
                _tradeCommission[s] += commission;
                _averageEntry[s] = _buyValue[s] / _quantity[s];
                _tradedValue += quantity * price;
                _fills.Add(new BacktestFill(order.DecidedOn, date, _market.Symbols[s], OrderSide.Buy, quantity, price, commission, order.Reason));
                return;
            }

            var sold = Math.Min(order.Quantity, _quantity[s]);
            if (sold < 1m)
            {
                _unfilled.Add(Describe(order, "nothing left to sell"));
                return;
            }

            var sellCommission = _settings.Commission.CommissionFor(OrderSide.Sell, sold, price);
            _cash += (sold * price) - sellCommission;
            _tradedValue += sold * price;
            _tradeCommission[s] += sellCommission;
            _fills.Add(new BacktestFill(order.DecidedOn, date, _market.Symbols[s], OrderSide.Sell, sold, price, sellCommission, order.Reason));

            // The sizer sells whole positions, so a sell closes the round trip.
            var boughtQuantity = _quantity[s];
            _trades.Add(new BacktestTrade(_market.Symbols[s], _entryDate[s], _averageEntry[s], date, price, boughtQuantity, _tradeCommission[s],
                (sold * price) - _buyValue[s] - _tradeCommission[s], IsOpen: false));
            _quantity[s] = 0m;
            _averageEntry[s] = 0m;
        }

        private void CompleteBars(int day)
        {
            for (var s = 0; s < _cursor.Length; s++)
            {
                if (!HasBarOn(s, day))
                {
                    continue;
                }

                ref readonly var bar = ref _market.Bars[s][_cursor[s]];
                _evaluators?[s].Add(in bar);
                _lastClose[s] = bar.Close;
                _lastBarDay[s] = day;
                _cursor[s]++;
            }
        }

        private void MarkToMarket(int day)
        {
            var invested = 0m;
            for (var s = 0; s < _quantity.Length; s++)
            {
                if (_quantity[s] > 0m)
                {
                    invested += _quantity[s] * _lastClose[s];
                }
            }

            _curve[day] = new EquityPoint(_market.Days[day], _cash + invested, _cash, invested);
        }

        private void Decide(int day)
        {
            _signals.Clear();
            if (_evaluators is not null)
            {
                for (var s = 0; s < _evaluators.Length; s++)
                {
                    if (_lastBarDay[s] != day)
                    {
                        continue;
                    }

                    var holding = new Holding(_quantity[s], _averageEntry[s]);
                    if (_evaluators[s].Decide(holding) != SignalAction.Hold)
                    {
                        _signals.Add(_evaluators[s].Signal(_market.Symbols[s], holding));
                    }
                }
            }
            else
            {
                // As on the streaming path, a symbol is decided only at the close of one of its own bars.
                foreach (var signal in _strategy.Evaluate(ContextAtClose(day)))
                {
                    if (signal.Action != SignalAction.Hold && _symbolIndex.TryGetValue(signal.Symbol, out var s) && _lastBarDay[s] == day)
                    {
                        _signals.Add(signal);
                    }
                }
            }

            if (_signals.Count > 0)
            {
                Size(day);
            }
        }

        /// <summary>The live context as of the day's close, over each symbol's bars completed so far (no copies).</summary>
        private StrategyContext ContextAtClose(int day)
        {
            var date = _market.Days[day];
            var close = _calendar.SessionFor(date)?.Close ?? NewYorkTime.StartOfDay(date.AddDays(1));
            var bars = new Dictionary<string, IReadOnlyList<Bar>>(_cursor.Length, StringComparer.Ordinal);
            var holdings = new Dictionary<string, Holding>(StringComparer.Ordinal);
            for (var s = 0; s < _cursor.Length; s++)
            {
                bars[_market.Symbols[s]] = new ArraySegment<Bar>(_market.Bars[s], 0, _cursor[s]);
                if (_quantity[s] > 0m)
                {
                    holdings[_market.Symbols[s]] = new Holding(_quantity[s], _averageEntry[s]);
                }
            }

            return StrategyContext.Create(close, _market.Symbols, BarTimeframe.Day1, bars, holdings, _calendar);
        }

        private void Size(int day)
        {
            var equity = _curve[day].Equity;
            var positions = new Dictionary<string, PositionState>(StringComparer.Ordinal);
            var withOpenOrders = new HashSet<string>(StringComparer.Ordinal);
            for (var s = 0; s < _quantity.Length; s++)
            {
                if (_quantity[s] > 0m)
                {
                    positions[_market.Symbols[s]] = new PositionState(_quantity[s], _lastClose[s]);
                }

                if (_hasPendingOrder[s])
                {
                    withOpenOrders.Add(_market.Symbols[s]);
                }
            }

            var prices = new Dictionary<string, decimal>(StringComparer.Ordinal);
            foreach (var signal in _signals)
            {
                if (_symbolIndex.TryGetValue(signal.Symbol, out var s) && _lastBarDay[s] >= 0)
                {
                    prices[signal.Symbol] = _lastClose[s];
                }
            }

            var decisions = PositionSizer.Size(_signals, new PortfolioState(equity, _cash, positions, withOpenOrders), _settings.Limits, prices);
            foreach (var decision in decisions)
            {
                if (decision.Order is { } order && _symbolIndex.TryGetValue(order.Symbol, out var s))
                {
                    _pending.Add(new PendingOrder(s, order.Side, order.Quantity, _market.Days[day], order.Reason));
                    _hasPendingOrder[s] = true;
                }
            }
        }

        private string Describe(PendingOrder order, string why) => string.Create(
            CultureInfo.InvariantCulture,
            $"{order.Side.ToString().ToUpperInvariant()} {order.Quantity} {_market.Symbols[order.Symbol]} decided {order.DecidedOn:yyyy-MM-dd}: {why}");
    }
}
