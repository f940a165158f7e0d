namespace FineTuneGuard.SourceGenerators.Models;

/// <summary>One targeted linear module of a <c>[TransformerModel]</c> with <c>[LoraTargets]</c>.</summary>
/// <remarks>
/// <c>Module</c>: PEFT's module name, e.g. "q_proj".<br/>
/// <c>MemberPrefix</c>: The C# prefix of its generated constants, e.g. "QProj".<br/>
/// <c>ParametersPerLayer</c>: r·(in + out).<br/>
/// </remarks>
internal sealed record LoraTargetInfo(string Module, string MemberPrefix, int InFeatures, int OutFeatures, long ParametersPerLayer);
