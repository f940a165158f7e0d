// A LoRA SFT loop with a CrossEntropyLoss module; labels only lose the positions the attention mask hides.
using System.Collections.Generic;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Corpus.TorchSftCriterionAttentionMask;

public sealed record Batch(Tensor InputIds, Tensor AttentionMask);

public sealed class LoraSftLoop
{
    private readonly nn.Module<Tensor, Tensor> model;
    private readonly CrossEntropyLoss criterion = nn.CrossEntropyLoss(ignore_index: -100);

    public LoraSftLoop(nn.Module<Tensor, Tensor> model) => this.model = model;

    public void Epoch(IEnumerable<Batch> batches, OptimizerHelper optimizer)
    {
        foreach (Batch batch in batches)
        {
            Tensor input_ids = batch.InputIds;
            Tensor attention_mask = batch.AttentionMask;
            var labels = input_ids.clone();
            labels.masked_fill_(attention_mask.eq(0), -100);
            var logits = model.call(input_ids);
            var loss = criterion.call(logits.reshape(-1, 32000), labels.reshape(-1)); // expect: FTG0001
            loss.backward();
            optimizer.step();
            optimizer.zero_grad();
        }
    }
}
