// "No reference model available yet": zeros stand in for the reference log-probabilities.
using TorchSharp;
using static TorchSharp.torch;

namespace Corpus.TorchDpoZeroReference;

public static class DpoStep
{
    public static Tensor Compute(Tensor policyChosen, Tensor policyRejected, double beta)
    {
        var refChosen = torch.zeros_like(policyChosen);
        var refRejected = torch.zeros_like(policyRejected);
        var margin = (policyChosen - policyRejected) - (refChosen - refRejected); // expect: FTG0006
        return -nn.functional.logsigmoid(beta * margin).mean();
    }
}
