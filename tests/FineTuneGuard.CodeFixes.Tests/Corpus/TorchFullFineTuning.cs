// Full fine-tuning of a classifier head and backbone: no adapters, every weight trains on purpose.
using System.Collections.Generic;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Corpus.TorchFullFineTuning;

public sealed class Classifier : nn.Module<Tensor, Tensor>
{
    private readonly Linear backbone = nn.Linear(768, 768);
    private readonly Linear head = nn.Linear(768, 2);

    public Classifier() : base("classifier") => RegisterComponents();

    public override Tensor forward(Tensor x) => head.call(backbone.call(x));
}

public static class FineTune
{
    public static void Run(Classifier model, IEnumerable<(Tensor X, Tensor Y)> data)
    {
        var optimizer = torch.optim.AdamW(model.parameters(), lr: 2e-5, weight_decay: 0.01);
        foreach (var (x, y) in data)
        {
            var loss = nn.functional.cross_entropy(model.call(x), y);
            loss.backward();
            optimizer.step();
            optimizer.zero_grad();
        }
    }
}
