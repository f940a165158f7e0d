// A "reset adapter between tasks" helper that re-draws B with the A initialiser.
using System;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Corpus.TorchLoraReinitialise;

public sealed class TaskLora : nn.Module<Tensor, Tensor>
{
    private readonly Parameter lora_A;
    private readonly Parameter lora_B;

    public TaskLora(long inFeatures, long outFeatures, long rank) : base("task_lora")
    {
        lora_A = new Parameter(torch.empty(rank, inFeatures));
        lora_B = new Parameter(torch.zeros(outFeatures, rank));
        nn.init.kaiming_uniform_(lora_A, a: Math.Sqrt(5));
        RegisterComponents();
    }

    public void ResetForNextTask()
    {
        using (torch.no_grad())
        {
            nn.init.kaiming_uniform_(lora_A, a: Math.Sqrt(5));
            nn.init.kaiming_uniform_(lora_B, a: Math.Sqrt(5)); // expect: FTG0004
        }
    }

    public override Tensor forward(Tensor x) => x.matmul(lora_A.t()).matmul(lora_B.t());
}
