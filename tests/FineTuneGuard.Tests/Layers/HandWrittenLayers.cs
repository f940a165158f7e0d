namespace FineTuneGuard.Tests.Layers;

// Layers defined at run time, without the generator: each passes its definition to the runtime base class.

internal sealed class HandWrittenLora(LoraLayerDefinition definition, ulong seed = 0) : LoraLayerBase(definition, seed);

internal sealed class HandWrittenAdapter(BottleneckAdapterDefinition definition, ulong seed = 0) : BottleneckAdapterBase(definition, seed);

internal sealed class HandWrittenPrefix(PrefixTuningDefinition definition, ulong seed = 0) : PrefixTuningBase(definition, seed);

internal sealed class HandWrittenPrompt(PromptTuningDefinition definition, ulong seed = 0) : PromptTuningBase(definition, seed);
