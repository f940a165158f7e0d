// The reference "copy" is the same object as the policy: both move together, the margin stays 0.
using TorchSharp;
using static TorchSharp.torch;

namespace Corpus.TorchDpoReferenceIsPolicy;

public static class DpoStep
{
    private static Tensor LogProb(nn.Module<Tensor, Tensor> model, Tensor ids) => model.call(ids).log_softmax(-1).sum();

    public static Tensor Run(nn.Module<Tensor, Tensor> policy, Tensor chosen, Tensor rejected, double beta)
    {
        nn.Module<Tensor, Tensor> refModel = policy; // expect: FTG0007
        Tensor policyChosen = LogProb(policy, chosen);
        Tensor policyRejected = LogProb(policy, rejected);
        Tensor refChosen = LogProb(refModel, chosen);
        Tensor refRejected = LogProb(refModel, rejected);
        return -nn.functional.logsigmoid(beta * ((policyChosen - policyRejected) - (refChosen - refRejected))).mean(); // expect: FTG0007
    }
}
