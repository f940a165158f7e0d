using System;
using System.Collections.Generic;
using System.Linq;

namespace FineTuneGuard;

/// <summary>
/// One tokenised supervised fine-tuning example: a (prompt, response) pair or a multi-turn conversation, with the
/// response spans (the assistant turns) that answer-only training supervises.
/// </summary>
/// <remarks>
/// Tokens are used as given, unpadded; the trainer pads batches on the right and knows where each example ends from its
/// length, never from a token id, so a response that ends with an end-of-sequence token equal to the padding id keeps that
/// token as a target.
/// </remarks>
public sealed class SftExample
{
    private readonly int[] _tokens;
    private readonly bool[] _isResponse;

    private SftExample(int[] tokens, bool[] isResponse, int promptLength)
    {
        _tokens = tokens;
        _isResponse = isResponse;
        PromptLength = promptLength;
        ResponseTokenCount = isResponse.Count(r => r);
    }

    /// <summary>All token ids: prompt then response, or the turns in order.</summary>
    public IReadOnlyList<int> Tokens => _tokens;

    /// <summary>Number of tokens.</summary>
    public int Length => _tokens.Length;

    /// <summary>Tokens before the first response token (the prompt, or everything before the first assistant turn).</summary>
    public int PromptLength { get; }

    /// <summary>Number of response (assistant) tokens.</summary>
    public int ResponseTokenCount { get; }

    /// <summary>A single-turn example: <paramref name="prompt"/> is context, <paramref name="response"/> (with its EOS) is imitated.</summary>
    public static SftExample FromPromptResponse(IEnumerable<int> prompt, IEnumerable<int> response)
    {
        ArgumentNullException.ThrowIfNull(prompt);
        ArgumentNullException.ThrowIfNull(response);
        int[] promptTokens = prompt.ToArray();
        int[] responseTokens = response.ToArray();
        int[] tokens = [.. promptTokens, .. responseTokens];
        var isResponse = new bool[tokens.Length];
        isResponse.AsSpan(promptTokens.Length).Fill(true);
        return new SftExample(tokens, isResponse, promptTokens.Length);
    }

    /// <summary>A multi-turn conversation: the assistant turns are imitated, system and user turns are context.</summary>
    public static SftExample FromConversation(IEnumerable<ConversationTurn> turns)
    {
        ArgumentNullException.ThrowIfNull(turns);
        var tokens = new List<int>();
        var isResponse = new List<bool>();
        foreach (ConversationTurn turn in turns)
        {
            ArgumentNullException.ThrowIfNull(turn, nameof(turns));
            tokens.AddRange(turn.Tokens);
            isResponse.AddRange(Enumerable.Repeat(turn.Role == ChatRole.Assistant, turn.Tokens.Count));
        }

        int firstResponse = isResponse.IndexOf(true);
        return new SftExample([.. tokens], [.. isResponse], firstResponse < 0 ? tokens.Count : firstResponse);
    }

    /// <summary>True when the token at <paramref name="position"/> belongs to the response (an assistant turn).</summary>
    public bool IsResponseToken(int position) => _isResponse[position];

    /// <summary>The tokens as a span (no copy).</summary>
    internal ReadOnlySpan<int> TokenSpan => _tokens;

    /// <summary>The per-token response flags as a span (no copy).</summary>
    internal ReadOnlySpan<bool> ResponseFlags => _isResponse;
}
