namespace FineTuneGuard.Quickstart.Training;

/// <summary>
/// Prints the runtime trainers' progress reports (<c>SftProgress</c>, <c>DpoProgress</c>) through
/// <see cref="PhaseProgress"/>. Synchronous on purpose: <c>System.Progress&lt;T&gt;</c> posts to the thread pool, which
/// would print lines out of order.
/// </summary>
/// <typeparam name="T">The report type.</typeparam>
public sealed class ConsoleProgress<T>(Action<T> report) : IProgress<T>
{
    /// <inheritdoc />
    public void Report(T value) => report(value);
}
