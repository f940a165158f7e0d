// Hand-written DPO in TorchSharp: reference in eval mode, no gradients, beta = 0.1, the sigmoid loss of the paper.
using TorchSharp;
using static TorchSharp.torch;

namespace Corpus.TorchDpoTrainer;

public sealed class DpoTrainer
{
    private const double Beta = 0.1;
    private readonly nn.Module<Tensor, Tensor> policy;
    private readonly nn.Module<Tensor, Tensor> reference;

    public DpoTrainer(nn.Module<Tensor, Tensor> policy, nn.Module<Tensor, Tensor> reference)
    {
        this.policy = policy;
        this.reference = reference;
        this.reference.eval();
        foreach (var p in this.reference.parameters())
        {
            p.requires_grad = false;
        }
    }

    private static Tensor SequenceLogProb(Tensor logits, Tensor ids) => logits.log_softmax(-1).gather(-1, ids.unsqueeze(-1)).squeeze(-1).sum(-1);

    public Tensor DpoLoss(Tensor chosen, Tensor rejected)
    {
        var policyChosen = SequenceLogProb(policy.call(chosen), chosen);
        var policyRejected = SequenceLogProb(policy.call(rejected), rejected);
        Tensor referenceChosen;
        Tensor referenceRejected;
        using (torch.no_grad())
        {
            referenceChosen = SequenceLogProb(reference.call(chosen), chosen);
            referenceRejected = SequenceLogProb(reference.call(rejected), rejected);
        }

        var logits = (policyChosen - policyRejected) - (referenceChosen - referenceRejected);
        return -nn.functional.logsigmoid(Beta * logits).mean();
    }
}
