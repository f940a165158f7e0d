// "DPO" that forgot the reference terms: the margin is the policy's own log-ratio, there is no KL anchor.
using TorchSharp;
using static TorchSharp.torch;

namespace Corpus.TorchDpoWithoutReference;

public static class Preference
{
    public static Tensor DpoLoss(Tensor policyChosenLogps, Tensor policyRejectedLogps, double beta)
    {
        var logRatio = policyChosenLogps - policyRejectedLogps;
        var losses = -nn.functional.logsigmoid(beta * logRatio); // expect: FTG0006
        return losses.mean();
    }
}
