using FineTuneGuard.Quickstart.Model;

namespace FineTuneGuard.Quickstart.Training;

/// <summary>Optimizer groups for the adapters of a LoRA model.</summary>
public static class LoraTrainingGroups
{
    /// <summary>
    /// A and B of every adapter in one group without weight decay (decay would pull the update B·A towards zero,
    /// i.e. back to the base model). The frozen base is never added — <c>ParameterGroup</c> would refuse it anyway.
    /// </summary>
    public static ParameterGroup Adapters(LoraCharMlp model, float learningRate)
    {
        var group = new ParameterGroup("lora", learningRate, weightDecay: 0f);
        foreach (Parameter parameter in model.TrainableParameters)
        {
            group.Add(parameter);
        }

        return group;
    }
}
