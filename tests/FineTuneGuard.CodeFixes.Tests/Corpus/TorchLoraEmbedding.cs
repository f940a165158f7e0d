// Embedding LoRA as PEFT initialises it: the other way round (A = 0, B normal). B·A = 0 at step 0, and gradients flow.
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Corpus.TorchLoraEmbedding;

public sealed class LoraEmbedding : nn.Module<Tensor, Tensor>
{
    private readonly Embedding base_layer;
    private readonly Parameter lora_embedding_A;
    private readonly Parameter lora_embedding_B;

    public LoraEmbedding(Embedding baseLayer, long vocab, long dim, long r) : base("lora_embedding")
    {
        base_layer = baseLayer;
        base_layer.weight.requires_grad_(false);
        lora_embedding_A = new Parameter(torch.empty(r, vocab));
        lora_embedding_B = new Parameter(torch.empty(dim, r));
        reset_lora_parameters();
        RegisterComponents();
    }

    private void reset_lora_parameters()
    {
        nn.init.zeros_(lora_embedding_A);
        nn.init.normal_(lora_embedding_B);
    }

    public override Tensor forward(Tensor ids) => base_layer.call(ids);
}
