using System;
using System.Collections.Generic;
using System.Linq;
using FineTuneGuard.Optimization;
using FineTuneGuard.Validation;

namespace FineTuneGuard;

/// <summary>The freeze and identity checks the trainers make on the models they are given.</summary>
internal static class ModelChecks
{
    /// <summary>The trainable parameters of <paramref name="model"/>; throws when there are none.</summary>
    public static Parameter[] Trainable(ICausalLanguageModel model, string parameterName)
    {
        ArgumentNullException.ThrowIfNull(model, parameterName);
        Guard(model, parameterName);
        Parameter[] trainable = model.Parameters.Where(p => p.Trainable).Select(p => p.Parameter).ToArray();
        if (trainable.Length == 0)
        {
            throw new ArgumentException(
                $"'{parameterName}' has no trainable parameter ({model.Parameters.Count} tensors, all frozen): nothing would be learned. Mark the adapter tensors (or, for full fine-tuning, the weights) trainable.",
                parameterName);
        }

        return trainable;
    }

    /// <summary>Names the trainable parameters of a model that must be frozen (a DPO reference, the KL base), or null when it is frozen.</summary>
    public static string? TrainableNames(ICausalLanguageModel model)
    {
        string[] names = model.Parameters.Where(p => p.Trainable).Select(p => p.Name).ToArray();
        return names.Length == 0 ? null : string.Join(", ", names.Take(5)) + (names.Length > 5 ? $" and {names.Length - 5} more" : string.Empty);
    }

    /// <summary>The name of a tensor of <paramref name="other"/> that is a trainable tensor of <paramref name="model"/> (same array), or null.</summary>
    public static string? SharedTrainableTensor(ICausalLanguageModel model, ICausalLanguageModel other)
    {
        var trainable = new HashSet<float[]>(model.Parameters.Where(p => p.Trainable).Select(p => p.Parameter.Value), ReferenceEqualityComparer.Instance);
        return other.Parameters.FirstOrDefault(p => trainable.Contains(p.Parameter.Value))?.Name;
    }

    /// <summary>Checks the basic shape of the contract: a positive vocabulary and a parameter list.</summary>
    private static void Guard(ICausalLanguageModel model, string parameterName)
    {
        if (model.VocabSize <= 0 || model.Parameters is null)
        {
            throw new ArgumentException($"'{parameterName}' reports VocabSize {model.VocabSize} and {(model.Parameters is null ? "no parameter list" : "a parameter list")}; a causal language model needs VocabSize > 0 and a parameter list.", parameterName);
        }
    }
}
