namespace FineTuneGuard.Quickstart.Data;

/// <summary>
/// A character-level tokenizer over a fixed 32-symbol alphabet: a padding token (id 0) that fills the context
/// window before the first character and the tail of a padded batch, then space, newline, three punctuation marks
/// and the 26 lowercase letters. A fixed alphabet keeps the vocabulary a compile-time constant, which the generated
/// LoRA layer on the output projection needs.
/// </summary>
public static class CharTokenizer
{
    /// <summary>The id of the padding token. It is never a training target (the SFT labels exclude it).</summary>
    public const int PadId = 0;

    /// <summary>The symbols, in id order; '␀' stands for padding when a sequence is decoded.</summary>
    public const string Alphabet = "\u2400 \n.:?abcdefghijklmnopqrstuvwxyz";

    /// <summary>Vocabulary size, padding included (32).</summary>
    public const int VocabularySize = 32;

    /// <summary>Token ids of <paramref name="text"/>; throws for a character outside the alphabet.</summary>
    public static int[] Encode(string text)
    {
        var ids = new int[text.Length];
        for (int i = 0; i < text.Length; i++)
        {
            int id = Alphabet.IndexOf(text[i], StringComparison.Ordinal);
            ids[i] = id > PadId
                ? id
                : throw new ArgumentException($"Character '{text[i]}' is not in the sample's alphabet.", nameof(text));
        }

        return ids;
    }

    /// <summary>The text of <paramref name="ids"/>.</summary>
    public static string Decode(ReadOnlySpan<int> ids)
    {
        var chars = new char[ids.Length];
        for (int i = 0; i < ids.Length; i++)
        {
            chars[i] = Alphabet[ids[i]];
        }

        return new string(chars);
    }
}
