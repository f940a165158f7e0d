using System;

namespace FineTuneGuard;

/// <summary>
/// The <c>rope_scaling</c> of a Hugging Face config that this runtime computes: <c>"linear"</c> (position
/// interpolation: every inverse frequency divided by <see cref="Factor"/>) or <c>"llama3"</c> (Llama 3.1's frequency-
/// dependent scaling: long wavelengths divided by <see cref="Factor"/>, short ones kept, the band between interpolated).
/// Both leave the attention scaling at 1, as transformers does for them. Other types (dynamic, yarn, longrope, ...) are
/// refused by <see cref="TransformerConfig.FromHuggingFaceJson(string)"/>.
/// </summary>
/// <param name="Type">"linear" or "llama3".</param>
/// <param name="Factor">The context extension factor (&gt; 0).</param>
public sealed record RopeScaling(string Type, double Factor)
{
    /// <summary>The linear type's name in <c>rope_type</c>.</summary>
    public const string LinearType = "linear";

    /// <summary>The Llama 3 type's name in <c>rope_type</c>.</summary>
    public const string Llama3Type = "llama3";

    /// <summary>llama3 only: wavelengths longer than original / this are divided by <see cref="Factor"/>.</summary>
    public double LowFreqFactor { get; init; }

    /// <summary>llama3 only: wavelengths shorter than original / this are kept.</summary>
    public double HighFreqFactor { get; init; }

    /// <summary>llama3 only: the context length the model was pre-trained with.</summary>
    public int OriginalMaxPositionEmbeddings { get; init; }

    /// <summary>Linear scaling (position interpolation) by <paramref name="factor"/>.</summary>
    public static RopeScaling Linear(double factor) => new(LinearType, factor);

    /// <summary>Llama 3 scaling, as Llama-3.1/3.2 configs declare it (e.g. factor 32, 1, 4, 8192).</summary>
    public static RopeScaling Llama3(double factor, double lowFreqFactor, double highFreqFactor, int originalMaxPositionEmbeddings)
        => new(Llama3Type, factor)
        {
            LowFreqFactor = lowFreqFactor,
            HighFreqFactor = highFreqFactor,
            OriginalMaxPositionEmbeddings = originalMaxPositionEmbeddings,
        };

    /// <summary>
    /// The scaled inverse frequencies for the default ones <paramref name="inverseFrequencies"/>
    /// (1 / theta^(2i/d)), exactly as transformers' linear and llama3 rope initialisers compute them, in double.
    /// </summary>
    /// <exception cref="NotSupportedException">The type is neither linear nor llama3.</exception>
    public double[] ScaleInverseFrequencies(ReadOnlySpan<double> inverseFrequencies)
    {
        var scaled = new double[inverseFrequencies.Length];
        switch (Type)
        {
            case LinearType:
                for (int i = 0; i < scaled.Length; i++)
                    scaled[i] = inverseFrequencies[i] / Factor;
                return scaled;
            case Llama3Type:
                double lowFreqWavelen = OriginalMaxPositionEmbeddings / LowFreqFactor;
                double highFreqWavelen = OriginalMaxPositionEmbeddings / HighFreqFactor;
                for (int i = 0; i < scaled.Length; i++)
                {
                    double f = inverseFrequencies[i];
                    double wavelen = 2 * Math.PI / f;
                    if (wavelen > lowFreqWavelen)
                    {
                        scaled[i] = f / Factor; // long wavelengths: interpolate fully
                    }
                    else if (wavelen < highFreqWavelen)
                    {
                        scaled[i] = f; // short wavelengths: untouched
                    }
                    else
                    {
                        // the band between: blend the interpolated and the original frequency
                        double smooth = (OriginalMaxPositionEmbeddings / wavelen - LowFreqFactor) / (HighFreqFactor - LowFreqFactor);
                        scaled[i] = (1 - smooth) * f / Factor + smooth * f;
                    }
                }
                return scaled;
            default:
                throw new NotSupportedException($"rope_scaling type '{Type}' is not implemented (linear and llama3 are).");
        }
    }
}
