using FineTuneGuard.Kernels;
using static FineTuneGuard.Quickstart.Model.ModelDimensions;

namespace FineTuneGuard.Quickstart.Model;

// The LoRA layers of the quickstart. Each attribute is the whole declaration: the source generator adds the shape
// constants, the compile-time TrainableParameterCount, A (Kaiming-uniform) and B (zeros), Forward / Backward and the
// merges, all calling the runtime's vectorized Lora kernels. The analyzers check the arguments while you type
// (try Rank = 200: FTG0102, rank above min(in, out)).
//
// Every generated LoRA class derives from the runtime's LoraLayerBase, so one model class carries adapters of any rank.
// Two ranks, same alpha/r = 2, so that the scorecard compares capacity, not step size.

/// <summary>LoRA on the hidden projection (256 → 128), rank 2.</summary>
[LoraLayer(InputWidth, Hidden, Rank = 2, Alpha = 4)]
public sealed partial class HiddenLoraR2;

/// <summary>LoRA on the output projection (128 → 32), rank 2.</summary>
[LoraLayer(Hidden, Vocabulary, Rank = 2, Alpha = 4)]
public sealed partial class OutputLoraR2;

/// <summary>LoRA on the hidden projection (256 → 128), rank 16.</summary>
[LoraLayer(InputWidth, Hidden, Rank = 16, Alpha = 32)]
public sealed partial class HiddenLoraR16;

/// <summary>LoRA on the output projection (128 → 32), rank 16.</summary>
[LoraLayer(Hidden, Vocabulary, Rank = 16, Alpha = 32)]
public sealed partial class OutputLoraR16;
