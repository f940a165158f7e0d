using FineTuneGuard.SourceGenerators.Helpers;

namespace FineTuneGuard.SourceGenerators.Parsing;

/// <summary>
/// Either a model for the emitter or the reasons the declaration is invalid (each one FTG0101 message). Value-equatable
/// so it can flow through the incremental pipeline.
/// </summary>
internal sealed record ParseResult<T>(T? Info, EquatableArray<string> Errors)
    where T : class
{
    public bool IsValid => Info is not null && Errors.Count == 0;
}
