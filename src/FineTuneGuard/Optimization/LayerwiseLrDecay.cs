using System;
using FineTuneGuard.Validation;

namespace FineTuneGuard.Optimization;

/// <summary>
/// Layer-wise learning-rate decay: η_l = η_top·γ^(L − l), so that lower layers (general features) move more slowly
/// than the top (the seeds' theory cell: η_top 2e-5, γ 0.85, layers 1..12 give 0.00000335 … 0.00002000).
/// </summary>
public static class LayerwiseLrDecay
{
    /// <summary>η_top·γ^(topLayer − layer), computed in double.</summary>
    /// <param name="etaTop">Learning rate of the top layer, &gt; 0.</param>
    /// <param name="gamma">Decay per layer, in (0, 1].</param>
    /// <param name="layer">The layer, &lt;= topLayer.</param>
    /// <param name="topLayer">The top layer L.</param>
    public static float LearningRate(float etaTop, float gamma, int layer, int topLayer)
        => (float)LearningRateDouble(etaTop, gamma, layer, topLayer);

    /// <summary>The same in double precision (η_top and γ taken as given, e.g. 2e-5 and 0.85 exactly).</summary>
    public static double LearningRateDouble(double etaTop, double gamma, int layer, int topLayer)
    {
        if (!(etaTop > 0) || double.IsInfinity(etaTop))
        {
            throw new ArgumentOutOfRangeException(nameof(etaTop), etaTop, $"'{nameof(etaTop)}' must be a finite value > 0; got {etaTop}.");
        }

        if (!(gamma > 0 && gamma <= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(gamma), gamma, $"'{nameof(gamma)}' must be in (0, 1]; got {gamma}.");
        }

        Guard.NonNegative(topLayer - layer, nameof(layer));
        return etaTop * Math.Pow(gamma, topLayer - layer);
    }

    /// <summary>
    /// Sets each group's learning rate from the layer of its parameters (<see cref="Parameter.Layer"/>): groups whose
    /// parameters all sit in layer l get η_top·γ^(L − l); groups with no layer (-1, e.g. a head) keep their rate.
    /// </summary>
    /// <param name="groups">Groups to update; each group's layered parameters must share one layer.</param>
    /// <param name="etaTop">η_top.</param>
    /// <param name="gamma">γ.</param>
    /// <param name="topLayer">L.</param>
    public static void Apply(ReadOnlySpan<ParameterGroup> groups, float etaTop, float gamma, int topLayer)
    {
        // Checked up front: with no layered parameter in any group the loop below would never look at them.
        Guard.NonNegative(topLayer);
        _ = LearningRateDouble(etaTop, gamma, topLayer, topLayer);
        foreach (ParameterGroup group in groups)
        {
            int layer = -1;
            foreach (Parameter parameter in group.Parameters)
            {
                if (parameter.Layer < 0)
                {
                    continue;
                }

                if (layer >= 0 && parameter.Layer != layer)
                {
                    throw new ArgumentException(
                        $"Group '{group.Name}' mixes layers {layer} and {parameter.Layer} ('{parameter.Name}'); layer-wise decay needs one group per layer.",
                        nameof(groups));
                }

                layer = parameter.Layer;
            }

            if (layer >= 0)
            {
                group.LearningRate = LearningRate(etaTop, gamma, layer, topLayer);
            }
        }
    }
}
