// Look-alike: Bradley–Terry reward-model training uses −log σ(r_w − r_l) with no reference, correctly.
using TorchSharp;
using static TorchSharp.torch;

namespace Corpus.TorchRewardModel;

public sealed class RewardModelTrainer
{
    private readonly nn.Module<Tensor, Tensor> rewardModel;

    public RewardModelTrainer(nn.Module<Tensor, Tensor> rewardModel) => this.rewardModel = rewardModel;

    public Tensor PairwiseLoss(Tensor chosen, Tensor rejected)
    {
        var chosenReward = rewardModel.call(chosen);
        var rejectedReward = rewardModel.call(rejected);
        return -nn.functional.logsigmoid(chosenReward - rejectedReward).mean();
    }
}
