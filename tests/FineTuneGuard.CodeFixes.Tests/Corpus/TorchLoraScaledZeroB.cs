// Look-alike: B drawn and scaled by zero is still zero (an old init trick); A random.
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Corpus.TorchLoraScaledZeroB;

public sealed class LoraQkv : nn.Module<Tensor, Tensor>
{
    private readonly Parameter lora_A;
    private readonly Parameter lora_B;

    public LoraQkv(long hidden, long rank) : base("lora_qkv")
    {
        lora_A = new Parameter(torch.randn(rank, hidden) / 100.0);
        lora_B = new Parameter(torch.randn(3 * hidden, rank) * 0.0);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x) => x.matmul(lora_A.t()).matmul(lora_B.t());
}
