// Continued pre-training on raw domain text through the same trainer: a full-sequence objective is the point here,
// and the defaults of an SFT run are answer-only. Nothing to flag.
using System.Collections.Generic;
using FineTuneGuard;

namespace Corpus.ApiTrainerContinuedPretraining;

public static class ContinuedPretraining
{
    public static SftRunResult Run(ICausalLanguageModel model, SftDataset documents)
    {
        var options = new SftOptions { LossScope = LossScope.FullSequence, MaxSteps = 1000, LearningRate = 1e-5f };
        return new SftTrainer(model, options).Train(new[] { documents });
    }

    public static SftBatch Batch(IReadOnlyList<SftExample> documents) => SftBatch.Collate(documents, LossScope.FullSequence);
}

public static class ChatSft
{
    public static SftRunResult Run(ICausalLanguageModel model, SftDataset chats)
        => new SftTrainer(model, new SftOptions { MaxSteps = 100 }).Train(new[] { chats });

    public static SftBatch Batch(IReadOnlyList<SftExample> chats, int padId)
        => SftBatch.Collate(chats, LossScope.AnswerOnly, padId);
}
