// Hard case (look-alike): the reference is frozen by a factory in another class before the trainer receives it.
using TorchSharp;
using static TorchSharp.torch;

namespace Corpus.HardReferenceFrozenByFactory;

public static class ReferenceFactory
{
    public static nn.Module<Tensor, Tensor> Freeze(nn.Module<Tensor, Tensor> reference)
    {
        reference.eval();
        foreach (var p in reference.parameters())
        {
            p.requires_grad_(false);
        }

        return reference;
    }
}

public sealed class DpoRunner
{
    private readonly nn.Module<Tensor, Tensor> policy;
    private readonly nn.Module<Tensor, Tensor> reference;

    public DpoRunner(nn.Module<Tensor, Tensor> policy, nn.Module<Tensor, Tensor> frozenReference)
    {
        this.policy = policy;
        reference = frozenReference;
    }

    public Tensor Margin(Tensor chosen, Tensor rejected)
        => (policy.call(chosen) - policy.call(rejected)) - (reference.call(chosen) - reference.call(rejected));
}
