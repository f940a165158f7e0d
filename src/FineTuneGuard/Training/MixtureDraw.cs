namespace FineTuneGuard;

/// <summary>One draw of a <see cref="MixtureSampler"/>.</summary>
/// <param name="DatasetIndex">Index of the dataset in the mixture.</param>
/// <param name="ExampleIndex">Index of the example within that dataset.</param>
/// <param name="Example">The example itself.</param>
public readonly record struct MixtureDraw(int DatasetIndex, int ExampleIndex, SftExample Example);
