// A DPO trainer that keeps the reference as a field but never puts it in eval mode nor turns its gradients off.
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Corpus.TorchDpoReferenceNotFrozen;

public sealed class PreferenceTrainer
{
    private readonly nn.Module<Tensor, Tensor> policy;
    private readonly nn.Module<Tensor, Tensor> ref_model; // expect: FTG0008
    private readonly double beta;

    public PreferenceTrainer(nn.Module<Tensor, Tensor> policy, nn.Module<Tensor, Tensor> referenceModel, double beta)
    {
        this.policy = policy;
        ref_model = referenceModel;
        this.beta = beta;
    }

    public Tensor Step(Tensor chosen, Tensor rejected)
    {
        var policyChosen = policy.call(chosen).sum();
        var policyRejected = policy.call(rejected).sum();
        var refChosen = ref_model.call(chosen).sum();
        var refRejected = ref_model.call(rejected).sum();
        return -nn.functional.logsigmoid(beta * ((policyChosen - policyRejected) - (refChosen - refRejected))).mean();
    }
}
