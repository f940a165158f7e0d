// LoRA written from the paper's figure, with both factors drawn from a Gaussian: the tuned model no longer starts at the base.
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Corpus.TorchLoraRandnB;

public sealed class LowRankAdapter : nn.Module<Tensor, Tensor>
{
    private readonly Parameter lora_A;
    private readonly Parameter lora_B;
    private readonly double scale;

    public LowRankAdapter(long inFeatures, long outFeatures, long rank, double alpha) : base("low_rank")
    {
        lora_A = new Parameter(torch.randn(rank, inFeatures) * 0.01);
        lora_B = new Parameter(torch.randn(outFeatures, rank) * 0.01); // expect: FTG0004
        scale = alpha / rank;
        RegisterComponents();
    }

    public override Tensor forward(Tensor x) => x.matmul(lora_A.t()).matmul(lora_B.t()) * scale;
}
