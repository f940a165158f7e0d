// A config constant left at zero during a sweep: −log σ(0) = ln 2 for every pair, and nothing is learned.
using TorchSharp;
using static TorchSharp.torch;

namespace Corpus.TorchDpoBetaZero;

public static class DpoObjective
{
    private const double Beta = 0.0;

    public static Tensor Loss(Tensor policyChosen, Tensor policyRejected, Tensor referenceChosen, Tensor referenceRejected)
    {
        var margin = (policyChosen - policyRejected) - (referenceChosen - referenceRejected);
        return -nn.functional.logsigmoid(Beta * margin).mean(); // expect: FTG0009
    }
}
