// LoRA injected into a small decoder, but nothing is ever frozen: AdamW trains the embeddings and projections too.
using System;
using System.Collections.Generic;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Corpus.TorchOptimizerUnfrozenLora;

public sealed class LoraProjection : nn.Module<Tensor, Tensor>
{
    private readonly Linear projection;
    private readonly Parameter lora_A;
    private readonly Parameter lora_B;

    public LoraProjection(long features, long rank) : base("lora_projection")
    {
        projection = nn.Linear(features, features);
        lora_A = new Parameter(torch.empty(rank, features));
        nn.init.kaiming_uniform_(lora_A, a: Math.Sqrt(5));
        lora_B = new Parameter(torch.zeros(features, rank));
        RegisterComponents();
    }

    public override Tensor forward(Tensor x) => projection.call(x) + x.matmul(lora_A.t()).matmul(lora_B.t());
}

public sealed class TinyDecoder : nn.Module<Tensor, Tensor>
{
    private readonly Embedding embed;
    private readonly LoraProjection attention;
    private readonly Linear lm_head;

    public TinyDecoder(long vocab, long hidden, long rank) : base("tiny_decoder")
    {
        embed = nn.Embedding(vocab, hidden);
        attention = new LoraProjection(hidden, rank);
        lm_head = nn.Linear(hidden, vocab, hasBias: false);
        RegisterComponents();
    }

    public override Tensor forward(Tensor ids) => lm_head.call(attention.call(embed.call(ids)));
}

public static class Program
{
    public static void Train(IEnumerable<(Tensor Ids, Tensor Labels)> data)
    {
        var model = new TinyDecoder(32000, 512, 8);
        var optimizer = torch.optim.AdamW(model.parameters(), lr: 1e-4); // expect: FTG0002
        foreach (var (ids, labels) in data)
        {
            var loss = nn.functional.cross_entropy(model.call(ids).reshape(-1, 32000), labels.reshape(-1));
            loss.backward();
            optimizer.step();
            optimizer.zero_grad();
        }
    }
}
