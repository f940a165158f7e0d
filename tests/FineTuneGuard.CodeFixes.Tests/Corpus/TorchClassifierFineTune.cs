// Look-alike: sequence classification fine-tuning; the labels are class ids from the dataset, not token ids.
using System.Collections.Generic;
using TorchSharp;
using static TorchSharp.torch;

namespace Corpus.TorchClassifierFineTune;

public static class SentimentFineTuning
{
    public static void Epoch(nn.Module<Tensor, Tensor> model, IEnumerable<(Tensor InputIds, Tensor Labels)> batches)
    {
        var optimizer = torch.optim.AdamW(model.parameters(), lr: 2e-5);
        foreach (var (inputIds, labels) in batches)
        {
            var logits = model.call(inputIds);
            var loss = nn.functional.cross_entropy(logits, labels);
            loss.backward();
            optimizer.step();
            optimizer.zero_grad();
        }
    }
}
