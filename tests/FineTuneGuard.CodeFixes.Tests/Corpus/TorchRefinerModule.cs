// Look-alike: a "refiner" sub-module and a "refresh" helper are not reference models.
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace Corpus.TorchRefinerModule;

public sealed class TwoStageModel : nn.Module<Tensor, Tensor>
{
    private readonly Linear draft = nn.Linear(512, 512);
    private readonly Linear refiner = nn.Linear(512, 512);

    public TwoStageModel() : base("two_stage") => RegisterComponents();

    public override Tensor forward(Tensor x) => refiner.call(draft.call(x));
}
