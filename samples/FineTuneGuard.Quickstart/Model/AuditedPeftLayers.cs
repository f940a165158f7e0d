using FineTuneGuard.Attention;
using static FineTuneGuard.Quickstart.Model.ModelDimensions;

namespace FineTuneGuard.Quickstart.Model;

// The other parameter-efficient methods of the seeds, declared on the same model for the trainable-parameter audit.
// Only their compile-time counts are used: the quickstart trains LoRA, and these show what the alternatives would
// cost on the same network.

/// <summary>A bottleneck adapter after the hidden layer: 128 → 16 → 128 with biases (Houlsby et al. 2019).</summary>
[BottleneckAdapter(Hidden, 16)]
public sealed partial class HiddenBottleneckAdapter;

/// <summary>Prompt tuning: 4 learned virtual-token embeddings (Lester et al. 2021).</summary>
[PromptTuning(4, Embedding)]
public sealed partial class SoftPrompt;

/// <summary>
/// Prefix tuning (Li and Liang 2021) learns key/value prefixes for attention layers. The MLP has no attention, so the
/// count is that of one attention layer of the same width (4 heads x 32 = 128), prefix length 4.
/// </summary>
[PrefixTuning(1, 4, 4, 32)]
public sealed partial class WidthMatchedPrefix;
