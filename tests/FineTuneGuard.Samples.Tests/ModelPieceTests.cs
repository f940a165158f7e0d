using FineTuneGuard.Numerics;
using FineTuneGuard.Quickstart.Data;
using FineTuneGuard.Quickstart.Model;
using FineTuneGuard.Quickstart.Training;

namespace FineTuneGuard.Samples.Tests;

/// <summary>The quickstart's building blocks: tokenizer, batches, generated counts, the LoRA model's start state.</summary>
public sealed class ModelPieceTests
{
    [Fact]
    public void Tokenizer_round_trips_every_embedded_text()
    {
        string[] texts =
        [
            PretrainingText.Train, PretrainingText.HeldOut,
            .. InstructionPairs.Train.Select(p => p.Prompt + p.Response),
            .. InstructionPairs.HeldOutPrompts,
            .. PreferenceTriples.Train.SelectMany(p => new[] { p.Prompt + p.Chosen, p.Prompt + p.Rejected }),
        ];
        foreach (string text in texts)
        {
            Assert.Equal(text, CharTokenizer.Decode(CharTokenizer.Encode(text)));
        }

        Assert.Equal(CharTokenizer.VocabularySize, CharTokenizer.Alphabet.Length);
        Assert.Throws<ArgumentException>(() => CharTokenizer.Encode("Q"));
    }

    [Fact]
    public void Sft_batch_counts_the_response_characters_only()
    {
        InstructionPair[] pairs = [InstructionPair.Ask("is fire hot", "yes"), InstructionPair.Ask("what color is the banana", "yellow")];
        ContextBatch batch = InstructionBatches.Build(pairs);

        int length = pairs.Max(p => p.Prompt.Length + p.Response.Length);
        Assert.Equal(2 * (length - 1), batch.Rows);
        Assert.Equal(pairs.Sum(p => p.Response.Length), (int)batch.Mask.Sum());

        // The first counted row of the first example predicts the first answer character from the prompt's end.
        int first = Array.FindIndex(batch.Mask, m => m > 0);
        Assert.Equal(pairs[0].Prompt.Length - 1, first);
        Assert.Equal(CharTokenizer.Encode("y")[0], batch.Targets[first]);
        Assert.Equal(CharTokenizer.Encode("\na: "), batch.Context(first)[^4..].ToArray());
    }

    [Fact]
    public void Context_windows_are_left_padded_at_the_start_of_a_text()
    {
        int[] ids = CharTokenizer.Encode("the sun");
        ContextBatch batch = ContextBatch.FromText(ids, [0, 5]);
        Assert.Equal([.. Enumerable.Repeat(CharTokenizer.PadId, ModelDimensions.Context - 1), ids[0]], batch.Context(0).ToArray());
        Assert.Equal(ids[1], batch.Targets[0]);
        Assert.Equal(ids[..6], batch.Context(1)[^6..].ToArray());
    }

    [Fact]
    public void Generated_counts_are_r_times_in_plus_out()
    {
        Assert.Equal(2 * (256 + 128) + (2 * (128 + 32)), LoraVariant.RankTwoTrainable);
        Assert.Equal(16 * (256 + 128) + (16 * (128 + 32)), LoraVariant.RankSixteenTrainable);
        Assert.Equal(2 * 128 * 16 + 16 + 128, HiddenBottleneckAdapter.TrainableParameterCount);
        Assert.Equal(4 * 16, SoftPrompt.TrainableParameterCount);
        Assert.Equal(1 * 4 * 4 * 32 * 2, WidthMatchedPrefix.TrainableParameterCount);
    }

    [Fact]
    public void A_fresh_lora_model_equals_its_base_and_only_its_adapters_are_trainable()
    {
        CharMlp pretrained = CharMlp.Initialize(new SeededRandom(1));
        LoraVariant variant = LoraVariant.RankTwo(pretrained, seed: 2);
        ContextBatch batch = ContextBatch.FromText(CharTokenizer.Encode(PretrainingText.HeldOut), Enumerable.Range(0, 50).ToArray());

        // B = 0 at construction: the tuned model starts as the base model (FTG0004 is about keeping it that way).
        Assert.All(variant.Model.Hidden.B, b => Assert.Equal(0f, b));
        Assert.Contains(variant.Model.Hidden.A, a => a != 0f);
        float[] tuned = Quickstart.Evaluation.ModelEvaluator.Logits(variant.Model, batch);
        float[] reference = Quickstart.Evaluation.ModelEvaluator.Logits(pretrained, batch);
        Assert.Equal(reference.Length, tuned.Length);
        for (int i = 0; i < tuned.Length; i++)
        {
            Assert.True(Math.Abs(tuned[i] - reference[i]) < 1e-5f, $"logit {i}: {tuned[i]} vs {reference[i]}");
        }

        Assert.Equal(variant.CompileTimeTrainableParameters, variant.RuntimeTrainableParameters);
        Assert.Throws<ArgumentException>(() => new LoraCharMlp(pretrained, new HiddenLoraR2(), new OutputLoraR2()));
    }
}
