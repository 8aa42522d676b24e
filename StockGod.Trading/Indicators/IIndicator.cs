namespace StockGod.Trading.Indicators;

/// <summary>
/// A streaming indicator: O(1) work per new input, oldest input first. <see cref="Value"/> is meaningful once
/// <see cref="IsReady"/>, which happens after exactly <see cref="WarmUp"/> inputs.
/// </summary>
public interface IIndicator<in TInput, out TValue>
{
    /// <summary>How many inputs it takes to produce the first value.</summary>
    int WarmUp { get; }

    bool IsReady { get; }

    TValue Value { get; }

    void Update(TInput input);

    void Reset();
}

/// <summary>An indicator's output over a whole series, aligned with the input: <c>Values[i]</c> is the value after input <c>i</c>.</summary>
public sealed class IndicatorSeries<TValue>(TValue[] values, int firstReadyIndex)
{
    /// <summary>Entries before <see cref="FirstReadyIndex"/> are default (not ready).</summary>
    public IReadOnlyList<TValue> Values { get; } = values;

    /// <summary>The index of the first ready value (equal to the input length when there is none).</summary>
    public int FirstReadyIndex { get; } = firstReadyIndex;

    public bool IsReadyAt(int index) => index >= FirstReadyIndex && index < Values.Count;
}

public static class IndicatorExtensions
{
    /// <summary>
    /// The batch form: runs the indicator over a whole series from a fresh state. Batch and streaming share one
    /// implementation, so they agree exactly by construction (the same decimal operations in the same order).
    /// </summary>
    public static IndicatorSeries<TValue> Compute<TInput, TValue>(this IIndicator<TInput, TValue> indicator, ReadOnlySpan<TInput> inputs)
    {
        ArgumentNullException.ThrowIfNull(indicator);
        indicator.Reset();
        var values = new TValue[inputs.Length];
        var firstReady = inputs.Length;
        for (var i = 0; i < inputs.Length; i++)
        {
            indicator.Update(inputs[i]);
            if (indicator.IsReady)
            {
                values[i] = indicator.Value;
                firstReady = Math.Min(firstReady, i);
            }
        }

        return new IndicatorSeries<TValue>(values, firstReady);
    }
}
