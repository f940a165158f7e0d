using System.Collections.Generic;
using System.Linq;
using FineTuneGuard.Optimization;

namespace FineTuneGuard;

/// <summary>
/// The optimizer groups both trainers build from <see cref="ParameterRole"/>s: "adapters" (FTG0105: never mixed with base
/// weights), "weights" (trainable base, embedding and head tensors under full fine-tuning) and "no_decay" (norms and biases,
/// weight decay 0). Frozen tensors are never added, so the optimizer cannot write them (FTG0003 by construction).
/// </summary>
internal static class OptimizerGroups
{
    public static List<ParameterGroup> FromRoles(ICausalLanguageModel model, float learningRate, float weightDecay)
    {
        var adapters = new ParameterGroup("adapters", learningRate, weightDecay);
        var weights = new ParameterGroup("weights", learningRate, weightDecay);
        var noDecay = new ParameterGroup("no_decay", learningRate, 0f);
        foreach (ModelParameter parameter in model.Parameters.Where(p => p.Trainable))
        {
            ParameterGroup group = parameter.Role switch
            {
                ParameterRole.Adapter => adapters,
                ParameterRole.Norm or ParameterRole.Bias => noDecay,
                _ => weights,
            };
            group.Add(parameter.Parameter);
        }

        return new[] { adapters, weights, noDecay }.Where(g => g.Parameters.Count > 0).ToList();
    }
}
