using FineTuneGuard.SourceGenerators.Helpers;
using FineTuneGuard.SourceGenerators.Models;

namespace FineTuneGuard.SourceGenerators.Emitting;

/// <summary>
/// Emits the members of a <c>[PromptTuning]</c> class: constants, the trainable count, the soft-prompt storage with its
/// gradient, seeded initialisation and a per-token view. Prepending to the token embeddings (forward/backward) is left
/// to the attention kernels; <c>Embeddings</c> and <c>Token</c> are the extension point.
/// </summary>
internal static class PromptTuningEmitter
{
    public static string Emit(PromptTuningInfo prompt)
    {
        string summary = $"Prompt tuning: {prompt.VirtualTokens} learned virtual-token embeddings of width {prompt.EmbeddingDim} prepended to the input.";
        return TypeDeclarationEmitter.Emit(prompt.Type, summary, w =>
        {
            w.WriteLine("/// <summary>Number of virtual (soft-prompt) tokens.</summary>");
            w.WriteLine("public const int VirtualTokens = " + Literals.Int(prompt.VirtualTokens) + ";");
            w.WriteLine();
            w.WriteLine("/// <summary>Embedding width of the model.</summary>");
            w.WriteLine("public const int EmbeddingDim = " + Literals.Int(prompt.EmbeddingDim) + ";");
            w.WriteLine();
            w.WriteLine($"/// <summary>Trainable parameters virtualTokens·embeddingDim = {prompt.VirtualTokens}·{prompt.EmbeddingDim} = {Literals.Grouped(prompt.TrainableParameterCount)}.</summary>");
            w.WriteLine("public const long TrainableParameterCount = " + Literals.Long(prompt.TrainableParameterCount) + ";");
            w.WriteLine();
            w.WriteLine($"/// <summary>The soft prompt, VirtualTokens x EmbeddingDim = {prompt.VirtualTokens} x {prompt.EmbeddingDim}, row-major; N(0, 1) at construction (PEFT's random init).</summary>");
            w.WriteLine("public float[] Embeddings { get; } = new float[VirtualTokens * EmbeddingDim];");
            w.WriteLine();
            w.WriteLine("/// <summary>dL/dEmbeddings (VirtualTokens x EmbeddingDim), written by the prompt backward.</summary>");
            w.WriteLine("public float[] GradEmbeddings { get; } = new float[VirtualTokens * EmbeddingDim];");
            w.WriteLine();
            if (!prompt.Type.DeclaresConstructor)
            {
                w.WriteLine("/// <summary>Creates the soft prompt drawn from a <see cref=\"global::FineTuneGuard.SeededRandom\"/> seeded with <paramref name=\"seed\"/>.</summary>");
                w.WriteLine($"public {prompt.Type.Name}(ulong seed = 0) => ResetParameters(seed);");
                w.WriteLine();
            }

            w.WriteLine("/// <summary>Re-initialises the soft prompt N(0, 1) from <paramref name=\"seed\"/> and zeroes its gradient.</summary>");
            using (w.OpenBlock("public void ResetParameters(ulong seed)"))
            {
                w.WriteLine("new global::FineTuneGuard.SeededRandom(seed).FillNormal(Embeddings, 0f, 1f);");
                w.WriteLine("global::System.Array.Clear(GradEmbeddings, 0, GradEmbeddings.Length);");
            }

            w.WriteLine();
            w.WriteLine("/// <summary>The embedding of virtual token <paramref name=\"index\"/> (EmbeddingDim values), a view into <see cref=\"Embeddings\"/>.</summary>");
            using (w.OpenBlock("public global::System.Span<float> Token(int index)"))
            {
                using (w.OpenBlock("if ((uint)index >= (uint)VirtualTokens)"))
                {
                    w.WriteLine("throw new global::System.ArgumentOutOfRangeException(nameof(index), index, \"index must be in [0, \" + VirtualTokens + \").\");");
                }

                w.WriteLine("return new global::System.Span<float>(Embeddings, index * EmbeddingDim, EmbeddingDim);");
            }
        });
    }
}
