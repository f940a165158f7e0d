using System.Text;
using FineTuneGuard.Losses;
using FineTuneGuard.Optimization;
using FineTuneGuard.Quickstart.Data;
using FineTuneGuard.Quickstart.Evaluation;
using FineTuneGuard.Quickstart.Model;
using FineTuneGuard.Quickstart.Training;
using static FineTuneGuard.Quickstart.Reporting.SectionWriter;

namespace FineTuneGuard.Quickstart.Phases;

/// <summary>
/// Phase 3: supervised fine-tuning on the instruction pairs with the answer-only loss — LoRA at two ranks, and full
/// fine-tuning for comparison. First, on one batch, the seeds' point: the masked and the unmasked mean differ, and
/// only the masked one is the SFT objective.
/// </summary>
public static class SftPhase
{
    /// <summary>What SFT produced.</summary>
    public sealed record Result(
        float MaskedLoss,
        float UnmaskedLoss,
        int CountedTokens,
        int AnswerTokens,
        IReadOnlyList<PhaseCurve> Curves,
        CharMlp FullyTuned,
        bool BaseWeightsUntouched);

    /// <summary>Runs the mask demonstration and the three fine-tuning runs.</summary>
    public static Result Run(CharMlp pretrained, IReadOnlyList<LoraVariant> variants, QuickstartOptions options, TextWriter output)
    {
        Heading(output, 3, "Supervised fine-tuning with LoRA and the answer-only loss",
            "The loss counts the answer tokens only: the prompt is given, and padding is not text.");

        (float masked, float unmasked, int counted, int answerTokens) = ShowMaskedVersusUnmasked(variants[0].Model, output);

        // The runtime's SftTrainer does the rest: answer-only targets (its default LossScope), micro-batches drawn by a
        // seeded sampler, optimizer groups from the tensors' roles (only the trainable ones: the LoRA factors), AdamW,
        // gradient clipping, a cosine schedule. The same settings for all three runs, so they compare methods.
        var data = new SftDataset("instructions", InstructionPairs.Train.Select(InstructionBatches.ToExample));
        var settings = new SftOptions
        {
            PadTokenId = CharTokenizer.PadId,
            MicroBatchSize = options.SftPairsPerBatch,
            MaxSteps = options.SftSteps,
            LearningRate = options.LoraLearningRate,
            Decay = LearningRateDecay.Cosine,
            Seed = options.Seed + 7,
        };

        var curves = new List<PhaseCurve>();
        foreach (LoraVariant variant in variants)
        {
            curves.Add(Train(variant.Name, new CharLanguageModel(variant.Model), settings, data, output));
        }

        // Full fine-tuning: a trainable copy of every base weight, same data, objective and schedule.
        CharMlp full = pretrained.Clone(trainable: true);
        curves.Add(Train(
            "full fine-tune",
            new CharLanguageModel(full),
            settings with { MaxSteps = options.FullFineTuneSteps, LearningRate = options.FullFineTuneLearningRate, WeightDecay = 0.01f },
            data,
            output));

        // The freeze decision, verified: the frozen base of every LoRA model is still bit for bit the pre-trained one.
        bool untouched = variants.All(v => v.Model.Base.Parameters.Zip(pretrained.Parameters).All(p => p.First.Value.AsSpan().SequenceEqual(p.Second.Value)));
        output.WriteLine(F($"   {Mark(untouched)} frozen base weights after LoRA training: bit-identical to the pre-trained model"));
        return new Result(masked, unmasked, counted, answerTokens, curves, full, untouched);
    }

    private static PhaseCurve Train(string name, CharLanguageModel model, SftOptions settings, SftDataset data, TextWriter output)
    {
        var trainer = new SftTrainer(model, settings);
        var progress = new PhaseProgress(output, name, settings.MaxSteps);
        double tokensPerSecond = 0;
        SftRunResult run = trainer.Train(
            [data],
            progress: new ConsoleProgress<SftProgress>(p =>
            {
                tokensPerSecond = p.TokensPerSecond;
                progress.Report(p.Step - 1, p.Loss, tokens: 0, p.TokensPerSecond);
            }));
        return new PhaseCurve(name, run.StepLosses.Select(l => (float)l).ToArray(), tokensPerSecond, []);
    }

    private static (float Masked, float Unmasked, int Counted, int AnswerTokens) ShowMaskedVersusUnmasked(ICharModel model, TextWriter output)
    {
        IReadOnlyList<InstructionPair> pairs = InstructionPairs.Train.Take(4).ToArray();
        ContextBatch batch = InstructionBatches.Build(pairs);

        // What the mask looks like: each position predicts the next character; '^' marks the characters whose
        // prediction the loss counts (the answer), blank the ones it ignores (the prompt and the padding).
        output.WriteLine("   One batch of 4 examples, right-padded with ␀; '^' marks the characters whose prediction the loss counts:");
        int rowsPerExample = batch.Rows / pairs.Count;
        for (int e = 0; e < 2; e++)
        {
            var text = new StringBuilder(CharTokenizer.Decode(batch.Context(e * rowsPerExample)[^1..]));
            var marks = new StringBuilder(" ");
            for (int t = 0; t < rowsPerExample; t++)
            {
                int row = (e * rowsPerExample) + t;
                text.Append(CharTokenizer.Decode([batch.Targets[row]]));
                marks.Append(batch.Mask[row] > 0 ? '^' : ' ');
            }

            output.WriteLine($"     {text.Replace("\n", "⏎")}");
            output.WriteLine($"     {marks}");
        }

        float[] logits = ModelEvaluator.Logits(model, batch);
        float masked = CrossEntropy.MaskedLoss(logits, batch.Targets, batch.Mask, ModelDimensions.Vocabulary);

        // Deliberately the wrong objective, to show the number a buggy SFT loop would optimize. Analyzer FTG0001
        // flags exactly this line (an unmasked mean in SFT code); it is suppressed here, and only here, because
        // printing the wrong number next to the right one is the point.
#pragma warning disable FTG0001 // Unmasked SFT loss: computed for comparison, never trained on.
        float unmasked = CrossEntropy.UnmaskedLoss(logits, batch.Targets, ModelDimensions.Vocabulary);
#pragma warning restore FTG0001

        int counted = (int)batch.Mask.Sum();
        int answerTokens = pairs.Sum(p => p.Response.Length);
        output.WriteLine(F($"   answer-only (masked) loss: {masked:F4}   over {counted} answer tokens   ← the SFT objective"));
        output.WriteLine(F($"   unmasked mean loss:        {unmasked:F4}   over all {batch.Rows} positions (prompt and padding included)"));
        output.WriteLine("   The unmasked number mixes in how well the base model predicts the question and the padding; training on it would");
        output.WriteLine("   spend capacity learning to write questions and padding instead of answers.");
        return (masked, unmasked, counted, answerTokens);
    }
}
