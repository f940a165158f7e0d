// The audit done right: freeze everything but the LoRA factors, print the count, then optimise parameters().
using System;
using System.Linq;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Corpus.TorchFreezeThenOptimize;

public sealed class LoraMlp : nn.Module<Tensor, Tensor>
{
    private readonly Linear up = nn.Linear(512, 2048);
    private readonly Parameter lora_A = new Parameter(torch.randn(8, 512) * 0.01);
    private readonly Parameter lora_B = new Parameter(torch.zeros(2048, 8));

    public LoraMlp() : base("lora_mlp") => RegisterComponents();

    public override Tensor forward(Tensor x) => up.call(x) + x.matmul(lora_A.t()).matmul(lora_B.t());
}

public static class Setup
{
    public static OptimizerHelper Build(LoraMlp model)
    {
        foreach (var (name, parameter) in model.named_parameters())
        {
            parameter.requires_grad = name.StartsWith("lora_", StringComparison.Ordinal);
        }

        int trainable = model.parameters().Count(p => p.requires_grad);
        Console.WriteLine($"trainable tensors: {trainable}");
        return torch.optim.AdamW(model.parameters(), lr: 2e-4);
    }
}
