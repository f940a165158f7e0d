using System.IO;
using FineTuneGuard.Decoding;

namespace FineTuneGuard.Tests.Training;

/// <summary>
/// End-to-end SFT on the toy bigram task: validation loss on the answer tokens falls, the frozen base is bit-identical,
/// evaluation reports KL to the base and retention, the run is a function of its seed, and bad data fails loudly.
/// </summary>
public class SftTrainerTests
{
    private static readonly SftDataset[] Train = [SftToyData.Task("shift", [SftToyData.Bos], SftToyData.Shift)];
    private static readonly SftDataset[] Validation = [SftToyData.Task("shift", [14, 15], SftToyData.Shift)];

    private static SftOptions Options => new()
    {
        MicroBatchSize = 2,
        GradientAccumulationSteps = 2,
        MaxSteps = 40,
        LearningRate = 0.05f,
        WarmupSteps = 4,
        EvaluationInterval = 10,
        PadTokenId = SftToyData.Eos,
        Seed = 7,
    };

    private static TinyLoraBigramModel NewModel() => new(SftToyData.Vocab, rank: 8, alpha: 16, seed: 3);

    /// <summary>A retention set the base model gets fully right: after x, the base's own arg-max.</summary>
    private static SftDataset Retention(TinyLoraBigramModel baseModel)
    {
        var logits = new float[SftToyData.Vocab];
        var examples = new List<SftExample>();
        foreach (int x in new[] { 8, 9, 10, 11, 12, 13 })
        {
            baseModel.Forward([x], 1, 1, logits);
            examples.Add(SftExample.FromPromptResponse([x], [TokenSampler.ArgMax(logits)]));
        }

        return new SftDataset("base-task", examples);
    }

    [Fact]
    public void TrainingLowersTheAnswerLossAndLeavesTheFrozenWeightsBitIdentical()
    {
        TinyLoraBigramModel model = NewModel();
        TinyLoraBigramModel baseModel = model.FrozenCopy();
        byte[] frozenBefore = Bytes(model.Weight.Value);
        var trainer = new SftTrainer(model, Options, baseModel);
        SftEvaluation before = trainer.Evaluate(Validation, Retention(baseModel));

        SftRunResult run = trainer.Train(Train, Validation, Retention(baseModel));

        SftEvaluation after = run.Evaluations[^1];
        Assert.Equal(40, run.Steps);
        Assert.Equal(4, run.Evaluations.Count); // steps 10, 20, 30, 40
        Assert.True(after.ValidationLoss < 0.25 * before.ValidationLoss, $"validation loss {before.ValidationLoss} → {after.ValidationLoss}");
        Assert.True(after.TaskAccuracy > before.TaskAccuracy, $"accuracy {before.TaskAccuracy} → {after.TaskAccuracy}; losses {string.Join(", ", run.Evaluations.Select(e => e.ValidationLoss))}");
        Assert.Equal(1.0, after.TaskAccuracy);
        Assert.Equal(Bytes(model.Weight.Value), frozenBefore);
        Assert.All(model.Weight.Gradient, g => Assert.Equal(0f, g));

        // B starts at zero: before training the tuned model is the base (KL exactly 0); training moves it.
        Assert.Equal(0.0, before.KlToBase);
        Assert.True(after.KlToBase > 0.1);
        Assert.Equal(1.0, after.BaseRetention!.TokenAccuracy);
        Assert.Equal(FineTuningScorecard.Combined(after.TaskAccuracy, after.Retention!.TokenAccuracy), after.CombinedScore);
        Assert.Equal(after.ValidationLoss, after.Datasets.Single().Loss);
    }

    [Fact]
    public void TheRunIsAFunctionOfTheSeed()
    {
        TinyLoraBigramModel first = NewModel();
        TinyLoraBigramModel second = first.TrainableCopy();
        TinyLoraBigramModel third = first.TrainableCopy();
        SftDataset[] mixture = [SftToyData.Task("shift", [SftToyData.Bos], SftToyData.Shift, 3), SftToyData.Task("mirror", [2, 3], SftToyData.Mirror, 1)];

        SftRunResult a = new SftTrainer(first, Options).Train(mixture);
        SftRunResult b = new SftTrainer(second, Options).Train(mixture);
        SftRunResult c = new SftTrainer(third, Options with { Seed = 8 }).Train(mixture);

        Assert.Equal(a.StepLosses, b.StepLosses);
        Assert.Equal(Bytes(first.A.Value), Bytes(second.A.Value));
        Assert.Equal(Bytes(first.B.Value), Bytes(second.B.Value));
        Assert.NotEqual(a.StepLosses, c.StepLosses);
    }

    [Fact]
    public void TrainFallingWhileValidationRisesIsSignalledAndCanStopTheRun()
    {
        // Validation asks for a conflicting answer to the same prompts: the better the fit, the worse validation gets.
        SftDataset[] conflicting = [SftToyData.Task("shift", [14, 15], SftToyData.Mirror)];
        var trainer = new SftTrainer(NewModel(), Options with { EvaluationInterval = 5, StopWhenOverfitting = true });

        SftRunResult run = trainer.Train(Train, conflicting);

        Assert.True(run.StoppedOnOverfitting);
        Assert.True(run.Steps < 40);
        SftEvaluation last = run.Evaluations[^1];
        SftEvaluation previous = run.Evaluations[^2];
        Assert.True(last.IsOverfitting);
        Assert.True(last.TrainLoss < previous.TrainLoss && last.ValidationLoss > previous.ValidationLoss);
        Assert.False(run.Evaluations[0].IsOverfitting); // nothing to compare the first evaluation with
    }

    [Fact]
    public void ProgressIsReportedAfterEveryStepWithTheScheduledLearningRate()
    {
        var reports = new List<SftProgress>();
        new SftTrainer(NewModel(), Options with { MaxSteps = 12 }).Train(Train, Validation, progress: new Collect<SftProgress>(reports));

        Assert.Equal(Enumerable.Range(1, 12), reports.Select(r => r.Step));
        Assert.All(reports, r => Assert.True(r.TokensPerSecond > 0 && double.IsFinite(r.Loss)));
        Assert.Equal(0f, reports[0].LearningRate); // warm-up starts at 0 (Hugging Face)
        Assert.Equal(0.05f * 2 / 4, reports[2].LearningRate, 6);
        Assert.Equal(0.05f, reports[4].LearningRate, 6); // peak after 4 warm-up steps, then linear decay
        Assert.True(reports[11].LearningRate < reports[4].LearningRate);
        Assert.Equal(new[] { 10, 12 }, reports.Where(r => r.Evaluation is not null).Select(r => r.Step));
    }

    [Fact]
    public void AnExampleWithoutTargetsIsAnErrorNamingTheDatasetAndTheExample()
    {
        var broken = new SftDataset("chat", [SftExample.FromPromptResponse([1, 2], [8, 0]), SftExample.FromPromptResponse([1, 3], [9, 0]), SftExample.FromPromptResponse([1, 4, 5], [])]);
        var trainer = new SftTrainer(NewModel(), Options);

        var error = Assert.Throws<ArgumentException>(() => trainer.Train([broken]));
        Assert.Contains("Example 2 of dataset 'chat'", error.Message, StringComparison.Ordinal);
        Assert.Contains("no target token", error.Message, StringComparison.Ordinal);

        error = Assert.Throws<ArgumentException>(() => trainer.TrainStep(broken.Examples));
        Assert.Contains("Example 2 of the step", error.Message, StringComparison.Ordinal);

        var outOfVocabulary = new SftDataset("ids", [SftExample.FromPromptResponse([1, 99], [8, 0])]);
        error = Assert.Throws<ArgumentException>(() => trainer.Train([outOfVocabulary]));
        Assert.Contains("token 99 at position 1", error.Message, StringComparison.Ordinal);
        Assert.Equal(0, trainer.StepCount);
    }

    [Fact]
    public void FullSequenceIsAnExplicitOptOutThatAlsoScoresThePrompt()
    {
        SftExample[] examples = [SftExample.FromPromptResponse([SftToyData.Bos, 14, 15, 3], [9, SftToyData.Eos])];
        var answerOnly = new SftTrainer(NewModel(), Options);
        var fullSequence = new SftTrainer(NewModel(), Options with { LossScope = LossScope.FullSequence });

        Assert.Equal(2, answerOnly.AccumulateGradients(examples).TargetTokens);
        Assert.Equal(5, fullSequence.AccumulateGradients(examples).TargetTokens);

        // A prompt-only example is an error under the default and legitimate under the opt-out.
        SftExample[] promptOnly = [SftExample.FromPromptResponse([SftToyData.Bos, 14, 15], [])];
        Assert.Throws<ArgumentException>(() => answerOnly.AccumulateGradients(promptOnly));
        Assert.Equal(2, fullSequence.AccumulateGradients(promptOnly).TargetTokens);
    }

    [Fact]
    public void ValidationLossIsTheMixtureWeightedExpectationOverTasks()
    {
        SftDataset[] tasks = [SftToyData.Task("shift", [14, 15], SftToyData.Shift, 3), SftToyData.Task("mirror", [14], SftToyData.Mirror, 1)];
        SftEvaluation evaluation = new SftTrainer(NewModel(), Options, NewModel().FrozenCopy()).Evaluate(tasks);

        Assert.Equal(2, evaluation.Datasets.Count);
        Assert.NotEqual(evaluation.Datasets[0].Loss, evaluation.Datasets[1].Loss);
        Assert.Equal(((3 * evaluation.Datasets[0].Loss) + evaluation.Datasets[1].Loss) / 4, evaluation.ValidationLoss, 12);
        Assert.Equal(((3 * evaluation.Datasets[0].TokenAccuracy) + evaluation.Datasets[1].TokenAccuracy) / 4, evaluation.TaskAccuracy, 12);
        Assert.Equal(12, evaluation.Datasets[0].TargetTokens); // 6 examples x (answer + EOS)
        Assert.True(double.IsNaN(evaluation.TrainLoss));
        Assert.Null(evaluation.Retention);
        Assert.Null(evaluation.CombinedScore);
    }

    [Fact]
    public void OnlyTrainableTensorsReachTheOptimizerInRoleGroups()
    {
        var model = new TinyLoraBigramModel(SftToyData.Vocab, rank: 2, alpha: 4, seed: 1, withBias: true);
        var trainer = new SftTrainer(model, Options with { WeightDecay = 0.1f });

        Assert.Equal(new[] { "adapters", "no_decay" }, trainer.Optimizer.Groups.Select(g => g.Name));
        Assert.Equal(new[] { "bigram.lora_A", "bigram.lora_B" }, trainer.Optimizer.Groups[0].Parameters.Select(p => p.Name));
        Assert.Equal(0.1f, trainer.Optimizer.Groups[0].WeightDecay);
        Assert.Equal(0f, trainer.Optimizer.Groups[1].WeightDecay);
        Assert.DoesNotContain(trainer.Optimizer.Groups.SelectMany(g => g.Parameters), p => !p.Trainable);
    }

    [Fact]
    public void ModelsThatCannotBeTunedOrComparedAreRefused()
    {
        TinyLoraBigramModel model = NewModel();
        Assert.Contains("no trainable parameter", Assert.Throws<ArgumentException>(() => new SftTrainer(model.FrozenCopy())).Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentException>(() => new SftTrainer(model, Options, baseModel: model));
        Assert.Contains("must be frozen", Assert.Throws<ArgumentException>(() => new SftTrainer(model, Options, model.TrainableCopy())).Message, StringComparison.Ordinal);
        Assert.Throws<ArgumentOutOfRangeException>(() => new SftTrainer(model, Options with { WarmupSteps = 50 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => new SftTrainer(model, Options with { MicroBatchSize = 0 }));
    }

    [Fact]
    public void CheckpointsHoldTheTrainableTensorsOnly()
    {
        TinyLoraBigramModel model = NewModel();
        var trainer = new SftTrainer(model, Options with { MaxSteps = 10 });
        trainer.Train(Train);
        string path = Path.Combine(Path.GetTempPath(), $"ftg-sft-{Guid.NewGuid():N}.safetensors");
        try
        {
            trainer.SaveCheckpoint(path);
            using (var file = FineTuneGuard.Serialization.SafetensorsFile.Open(path))
            {
                Assert.Equal(new[] { "bigram.lora_A", "bigram.lora_B" }, file.Tensors.Select(t => t.Name).Order());
            }

            TinyLoraBigramModel fresh = NewModel();
            Assert.NotEqual(Bytes(model.B.Value), Bytes(fresh.B.Value));
            Assert.Equal(10, TrainableCheckpoint.Load(path, fresh));
            Assert.Equal(Bytes(model.A.Value), Bytes(fresh.A.Value));
            Assert.Equal(Bytes(model.B.Value), Bytes(fresh.B.Value));

            // A checkpoint never writes frozen weights, and a missing trainable tensor is an error.
            Assert.Throws<ArgumentException>(() => TrainableCheckpoint.Load(path, new TinyLoraBigramModel(SftToyData.Vocab, 8, 16, 3, withBias: true)));
        }
        finally
        {
            File.Delete(path);
        }
    }

    private static byte[] Bytes(float[] values) => System.Runtime.InteropServices.MemoryMarshal.AsBytes(values.AsSpan()).ToArray();

    private sealed class Collect<T>(List<T> into) : IProgress<T>
    {
        public void Report(T value) => into.Add(value);
    }
}
