namespace FineTuneGuard.SourceGenerators.Helpers;

/// <summary>
/// What the analyzers know at compile time about a buffer handed to a generated method: its constant length, and
/// for a <c>[Shape]</c> member also its (rows, cols).
/// </summary>
/// <param name="Description">How it appears in messages, e.g. "new float[100]" or "the [Shape(12, 10)] member 'W'".</param>
/// <param name="Length">Its element count.</param>
/// <param name="Rows">Rows of a <c>[Shape]</c> member, else null.</param>
/// <param name="Cols">Columns of a <c>[Shape]</c> member, else null.</param>
internal sealed record KnownBuffer(string Description, long Length, int? Rows, int? Cols);
