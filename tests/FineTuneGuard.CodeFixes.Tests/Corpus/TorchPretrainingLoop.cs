// Causal-LM pre-training: every position is a target, raw input ids are the right labels.
using System.Collections.Generic;
using TorchSharp;
using static TorchSharp.torch;

namespace Corpus.TorchPretrainingLoop;

public static class Pretraining
{
    public static double Epoch(nn.Module<Tensor, Tensor> model, IEnumerable<Tensor> corpus, long vocab)
    {
        var optimizer = torch.optim.AdamW(model.parameters(), lr: 3e-4, weight_decay: 0.1);
        double total = 0;
        foreach (Tensor input_ids in corpus)
        {
            var logits = model.call(input_ids);
            var loss = nn.functional.cross_entropy(logits.reshape(-1, vocab), input_ids.reshape(-1));
            loss.backward();
            optimizer.step();
            optimizer.zero_grad();
            total += loss.item<float>();
        }

        return total;
    }
}
