using System;
using System.Collections.Generic;
using System.Linq;
using FineTuneGuard.Accounting;

namespace FineTuneGuard;

/// <summary>
/// The trainable-parameter audit (checklist items "only intended tensors require gradients" and
/// "trainable parameter count matches expectation") for an <see cref="ICausalLanguageModel"/>: which tensors are trained,
/// which are frozen, and PEFT's <c>print_trainable_parameters()</c> line.
/// </summary>
/// <param name="TrainableTensors">Names of the trainable tensors, in model order.</param>
/// <param name="FrozenTensors">Names of the frozen tensors, in model order.</param>
/// <param name="TrainableParameters">Elements in trainable tensors.</param>
/// <param name="AllParameters">Elements in all tensors (base + trainable, as PEFT counts them).</param>
public sealed record TrainableParameterAudit(
    IReadOnlyList<string> TrainableTensors, IReadOnlyList<string> FrozenTensors, long TrainableParameters, long AllParameters)
{
    /// <summary>PEFT's line: <c>trainable params: … || all params: … || trainable%: …</c>.</summary>
    public string Summary => ParameterCount.PeftSummary(TrainableParameters, AllParameters);

    /// <summary>Audits <paramref name="model"/>.</summary>
    public static TrainableParameterAudit Of(ICausalLanguageModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        IReadOnlyList<ModelParameter> parameters = model.Parameters;
        return new TrainableParameterAudit(
            parameters.Where(p => p.Trainable).Select(p => p.Name).ToArray(),
            parameters.Where(p => !p.Trainable).Select(p => p.Name).ToArray(),
            parameters.Where(p => p.Trainable).Sum(p => (long)p.Parameter.Length),
            parameters.Sum(p => (long)p.Parameter.Length));
    }
}
