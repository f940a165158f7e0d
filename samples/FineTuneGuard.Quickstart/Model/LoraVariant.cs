namespace FineTuneGuard.Quickstart.Model;

/// <summary>
/// One LoRA configuration of the tiny model: the model (frozen base + adapters), the trainable-parameter count the
/// generator computed at compile time, and how to make a frozen copy (the DPO reference).
/// </summary>
/// <param name="Name">Label in the report and the charts.</param>
/// <param name="Rank">LoRA rank of both adapters.</param>
/// <param name="Model">The model; its adapters are what gets trained.</param>
/// <param name="CompileTimeTrainableParameters">Σ of the generated <c>TrainableParameterCount</c> constants.</param>
/// <param name="FrozenCopy">A frozen copy: fresh adapter instances holding the same A and B, nothing trainable.</param>
public sealed record LoraVariant(string Name, int Rank, LoraCharMlp Model, long CompileTimeTrainableParameters, Func<LoraCharMlp> FrozenCopy)
{
    /// <summary>r·(in + out) for both projections at rank 2, added up by the compiler: 2·(256 + 128) + 2·(128 + 32).</summary>
    public const long RankTwoTrainable = HiddenLoraR2.TrainableParameterCount + OutputLoraR2.TrainableParameterCount;

    /// <summary>The same at rank 16.</summary>
    public const long RankSixteenTrainable = HiddenLoraR16.TrainableParameterCount + OutputLoraR16.TrainableParameterCount;

    /// <summary>LoRA rank 2 on a frozen copy of <paramref name="pretrained"/>.</summary>
    public static LoraVariant RankTwo(CharMlp pretrained, ulong seed)
    {
        var model = new LoraCharMlp(pretrained.Clone(trainable: false), new HiddenLoraR2(seed), new OutputLoraR2(seed + 1));
        return new LoraVariant("LoRA r=2", HiddenLoraR2.Rank, model, RankTwoTrainable, () => model.FrozenSnapshot(new HiddenLoraR2(), new OutputLoraR2()));
    }

    /// <summary>LoRA rank 16 on a frozen copy of <paramref name="pretrained"/>.</summary>
    public static LoraVariant RankSixteen(CharMlp pretrained, ulong seed)
    {
        var model = new LoraCharMlp(pretrained.Clone(trainable: false), new HiddenLoraR16(seed), new OutputLoraR16(seed + 1));
        return new LoraVariant("LoRA r=16", HiddenLoraR16.Rank, model, RankSixteenTrainable, () => model.FrozenSnapshot(new HiddenLoraR16(), new OutputLoraR16()));
    }

    /// <summary>Σ of the sizes of the tensors flagged trainable, counted at run time (the seeds' freeze audit).</summary>
    public long RuntimeTrainableParameters => Model.AllParameters.Where(p => p.Trainable).Sum(p => (long)p.Value.Length);

    /// <summary>How many tensors are flagged trainable at run time (A and B of each adapter: 4).</summary>
    public int RuntimeTrainableTensors => Model.AllParameters.Count(p => p.Trainable);
}
