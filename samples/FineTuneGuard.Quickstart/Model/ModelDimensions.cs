using FineTuneGuard.Quickstart.Data;

namespace FineTuneGuard.Quickstart.Model;

/// <summary>
/// The shape of the tiny character-level language model, as compile-time constants: the layer attributes
/// (<c>[LoraLayer(ModelDimensions.InputWidth, ModelDimensions.Hidden)]</c>, ...) take them, so the generator and the
/// analyzers check every adapter against the model it adapts.
/// </summary>
public static class ModelDimensions
{
    /// <summary>How many previous characters the model sees when it predicts the next one.</summary>
    public const int Context = 16;

    /// <summary>Width of one character embedding.</summary>
    public const int Embedding = 16;

    /// <summary>Input width of the hidden projection: the context's embeddings, concatenated (16·16 = 256).</summary>
    public const int InputWidth = Context * Embedding;

    /// <summary>Width of the hidden layer.</summary>
    public const int Hidden = 128;

    /// <summary>Vocabulary size (the output projection's width).</summary>
    public const int Vocabulary = CharTokenizer.VocabularySize;

    /// <summary>All base-model parameters: embeddings, hidden weight and bias, output weight and bias.</summary>
    public const long BaseParameterCount =
        ((long)Vocabulary * Embedding) + ((long)Hidden * InputWidth) + Hidden + ((long)Vocabulary * Hidden) + Vocabulary;
}
