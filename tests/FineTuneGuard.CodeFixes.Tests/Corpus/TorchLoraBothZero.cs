// "Start from the base model exactly" taken one step too far: with A = 0 and B = 0 no gradient ever reaches either factor.
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Corpus.TorchLoraBothZero;

public sealed class ZeroInitLora : nn.Module<Tensor, Tensor>
{
    private readonly Linear frozen;
    private readonly Parameter lora_A;
    private readonly Parameter lora_B;

    public ZeroInitLora(Linear frozenLayer, long inFeatures, long outFeatures, long rank) : base("zero_lora")
    {
        frozen = frozenLayer;
        frozen.weight.requires_grad_(false);
        lora_A = new Parameter(torch.zeros(rank, inFeatures)); // expect: FTG0005
        lora_B = new Parameter(torch.zeros(outFeatures, rank));
        RegisterComponents();
    }

    public override Tensor forward(Tensor x) => frozen.call(x) + x.matmul(lora_A.t()).matmul(lora_B.t());
}
