namespace FineTuneGuard.SourceGenerators.Models;

/// <summary>A validated <c>[PrefixTuning]</c> declaration: everything the emitter needs, nothing from Roslyn.</summary>
/// <remarks>
/// <c>KeyValueWidth</c>: heads·headDim, the width of one prefix key (or value) vector over all heads.<br/>
/// <c>KeyValueStorageLength</c>: layers·2·prefixLength·heads·headDim, the folded key/value prefix.<br/>
/// <c>TrainableParameterCount</c>: From <c>ParameterArithmetic.Prefix</c> (the reparameterisation MLP when ProjectionHidden &gt; 0).<br/>
/// </remarks>
internal sealed record PrefixTuningInfo(
    TypeDeclarationInfo Type,
    int Layers,
    int PrefixLength,
    int Heads,
    int HeadDim,
    int ProjectionHidden,
    int KeyValueWidth,
    int KeyValueStorageLength,
    long TrainableParameterCount);
