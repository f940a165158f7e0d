using System;
using System.Collections.Generic;
using System.Linq;

namespace FineTuneGuard;

/// <summary>
/// One already-tokenised turn of a conversation, chat-template tokens included (the trainer does not add any): the
/// assistant turn should end with the end-of-sequence or end-of-turn token the model must learn to emit.
/// </summary>
public sealed class ConversationTurn
{
    /// <summary>Creates a turn of <paramref name="role"/> with a copy of <paramref name="tokens"/>.</summary>
    public ConversationTurn(ChatRole role, IEnumerable<int> tokens)
    {
        ArgumentNullException.ThrowIfNull(tokens);
        if (role is < ChatRole.System or > ChatRole.Assistant)
        {
            throw new ArgumentOutOfRangeException(nameof(role), role, $"'{nameof(role)}' must be a defined {nameof(ChatRole)}; got {(int)role}.");
        }

        Role = role;
        Tokens = tokens.ToArray();
    }

    /// <summary>Who speaks.</summary>
    public ChatRole Role { get; }

    /// <summary>The turn's token ids.</summary>
    public IReadOnlyList<int> Tokens { get; }
}
