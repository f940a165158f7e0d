// A PEFT-style LoRA wrapper for TorchSharp: A Kaiming-uniform, B zeros, base layer frozen at injection.
using System;
using System.Collections.Generic;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Corpus.TorchLoraLinearPeftStyle;

public sealed class LoraLinear : nn.Module<Tensor, Tensor>
{
    private readonly Linear base_layer;
    private readonly Parameter lora_A;
    private readonly Parameter lora_B;
    private readonly double scaling;

    public LoraLinear(Linear baseLayer, long inFeatures, long outFeatures, long r, double alpha) : base("lora_linear")
    {
        base_layer = baseLayer;
        base_layer.weight.requires_grad = false;
        lora_A = new Parameter(torch.empty(r, inFeatures));
        lora_B = new Parameter(torch.empty(outFeatures, r));
        scaling = alpha / r;
        reset_lora_parameters();
        RegisterComponents();
    }

    private void reset_lora_parameters()
    {
        nn.init.kaiming_uniform_(lora_A, a: Math.Sqrt(5));
        nn.init.zeros_(lora_B);
    }

    public override Tensor forward(Tensor x)
        => base_layer.call(x) + x.matmul(lora_A.t()).matmul(lora_B.t()) * scaling;
}

public sealed class Block : nn.Module<Tensor, Tensor>
{
    public readonly LoraLinear q_proj;
    public readonly LoraLinear v_proj;

    public Block(long hidden, long r) : base("block")
    {
        q_proj = new LoraLinear(nn.Linear(hidden, hidden), hidden, hidden, r, 16);
        v_proj = new LoraLinear(nn.Linear(hidden, hidden), hidden, hidden, r, 16);
        RegisterComponents();
    }

    public override Tensor forward(Tensor x) => q_proj.call(x) + v_proj.call(x);
}

public static class Training
{
    public static void Run(Block block, IEnumerable<Tensor> batches)
    {
        var optimizer = torch.optim.AdamW(block.parameters(), lr: 2e-4);
        foreach (Tensor x in batches)
        {
            var loss = block.call(x).sum();
            loss.backward();
            optimizer.step();
            optimizer.zero_grad();
        }
    }
}
