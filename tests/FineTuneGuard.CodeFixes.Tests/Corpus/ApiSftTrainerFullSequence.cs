// An instruction-tuning run on the runtime's SftTrainer that opts out of answer-only labels: the prompt tokens become
// targets. The opt-out is explicit, so FTG0001 reports it for review rather than guessing.
using System.Collections.Generic;
using FineTuneGuard;

namespace Corpus.ApiSftTrainerFullSequence;

public static class InstructionTuning
{
    public static SftRunResult Run(ICausalLanguageModel model, SftDataset alpaca)
    {
        var options = new SftOptions
        {
            MaxSteps = 200,
            LearningRate = 2e-4f,
            LossScope = LossScope.FullSequence, // expect: FTG0001
        };
        return new SftTrainer(model, options).Train(new[] { alpaca });
    }

    public static SftBatch ChatBatch(IReadOnlyList<SftExample> conversations, int padId)
        => SftBatch.Collate(conversations, LossScope.FullSequence, padId); // expect: FTG0001

    public static SftOptions Sweep(SftOptions baseline, bool promptToo)
        => promptToo ? baseline with { MicroBatchSize = 8 } : baseline with { LossScope = LossScope.AnswerOnly };
}
