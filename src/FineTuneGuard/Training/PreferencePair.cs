using System;
using System.Collections.Generic;
using System.Linq;

namespace FineTuneGuard;

/// <summary>
/// One tokenised preference: a prompt, the chosen completion y_w and the rejected completion y_l (each with its EOS), and
/// optionally the frozen reference model's log-probabilities of both completions, precomputed (TRL's
/// <c>precompute_ref_log_probs</c>) so that the reference need not be kept in memory during training.
/// </summary>
public sealed class PreferencePair
{
    /// <summary>Creates a pair; the token lists are copied.</summary>
    /// <param name="prompt">Context tokens (may be empty).</param>
    /// <param name="chosen">The preferred completion, at least one token.</param>
    /// <param name="rejected">The dispreferred completion, at least one token.</param>
    /// <param name="referenceChosenLogProb">log π_ref(y_w | x), or null to compute it with a reference model.</param>
    /// <param name="referenceRejectedLogProb">log π_ref(y_l | x), or null to compute it with a reference model.</param>
    /// <exception cref="ArgumentException">An empty completion, or only one of the two reference log-probabilities.</exception>
    public PreferencePair(
        IEnumerable<int> prompt, IEnumerable<int> chosen, IEnumerable<int> rejected,
        float? referenceChosenLogProb = null, float? referenceRejectedLogProb = null)
    {
        ArgumentNullException.ThrowIfNull(prompt);
        ArgumentNullException.ThrowIfNull(chosen);
        ArgumentNullException.ThrowIfNull(rejected);
        Prompt = prompt.ToArray();
        Chosen = chosen.ToArray();
        Rejected = rejected.ToArray();
        if (Chosen.Count == 0 || Rejected.Count == 0)
        {
            throw new ArgumentException($"Both completions need at least one token; chosen has {Chosen.Count}, rejected {Rejected.Count}.", Chosen.Count == 0 ? nameof(chosen) : nameof(rejected));
        }

        if (referenceChosenLogProb.HasValue != referenceRejectedLogProb.HasValue)
        {
            throw new ArgumentException("Give both reference log-probabilities (chosen and rejected) or neither.", nameof(referenceRejectedLogProb));
        }

        if (referenceChosenLogProb is float c && (!float.IsFinite(c) || c > 0 || !float.IsFinite(referenceRejectedLogProb!.Value) || referenceRejectedLogProb > 0))
        {
            throw new ArgumentOutOfRangeException(nameof(referenceChosenLogProb), $"Reference log-probabilities must be finite and <= 0; got {referenceChosenLogProb} and {referenceRejectedLogProb}.");
        }

        ReferenceChosenLogProb = referenceChosenLogProb;
        ReferenceRejectedLogProb = referenceRejectedLogProb;
    }

    /// <summary>The prompt tokens.</summary>
    public IReadOnlyList<int> Prompt { get; }

    /// <summary>The chosen completion y_w.</summary>
    public IReadOnlyList<int> Chosen { get; }

    /// <summary>The rejected completion y_l.</summary>
    public IReadOnlyList<int> Rejected { get; }

    /// <summary>Precomputed log π_ref(y_w | x), or null.</summary>
    public float? ReferenceChosenLogProb { get; }

    /// <summary>Precomputed log π_ref(y_l | x), or null.</summary>
    public float? ReferenceRejectedLogProb { get; }

    /// <summary>True when both reference log-probabilities are present.</summary>
    public bool HasReferenceLogProbs => ReferenceChosenLogProb.HasValue;

    /// <summary>This pair with the reference log-probabilities set.</summary>
    public PreferencePair WithReferenceLogProbs(float chosen, float rejected) => new(Prompt, Chosen, Rejected, chosen, rejected);

    /// <summary>prompt + chosen as an SFT-style example whose "response" is the completion.</summary>
    internal SftExample ChosenSequence() => SftExample.FromPromptResponse(Prompt, Chosen);

    /// <summary>prompt + rejected as an SFT-style example whose "response" is the completion.</summary>
    internal SftExample RejectedSequence() => SftExample.FromPromptResponse(Prompt, Rejected);
}
