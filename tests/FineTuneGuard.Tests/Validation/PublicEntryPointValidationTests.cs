using System.Reflection;
using FineTuneGuard.Attention;
using FineTuneGuard.Decoding;
using FineTuneGuard.Kernels;
using FineTuneGuard.Linalg;
using FineTuneGuard.Losses;
using FineTuneGuard.Numerics;
using FineTuneGuard.Optimization;

namespace FineTuneGuard.Tests.Validation;

/// <summary>
/// Every public static entry point of the runtime's kernels, losses, attention, decoding, linear algebra and optimization
/// helpers gets at least one bad-input case: a wrong length, a non-positive dimension, an out-of-range index or a
/// non-finite hyperparameter. Each case must throw an <see cref="ArgumentException"/> (or subclass) whose message names
/// the offending parameter — and, for a shape, says what it got. The registry is checked against the public API by
/// reflection, so a new public method without a bad-input case fails <see cref="EveryPublicEntryPointHasABadInputCase"/>.
/// </summary>
public class PublicEntryPointValidationTests
{
    /// <summary>A bad-input case: the method (Type.Method(firstParameter, ...) prefix), the parameter the message must name, the call.</summary>
    public sealed record BadInput(string Method, string Parameter, Action Call, bool IsShape = true)
    {
        public override string ToString() => $"{Method} bad {Parameter}";
    }

    /// <summary>Public static classes whose inputs are validated elsewhere or that take no shaped input (with the reason).</summary>
    private static readonly Dictionary<string, string> OutOfScope = new()
    {
        ["ParameterCount"] = "accounting over ints: checked long arithmetic, Accounting/ParameterCountTests and NumericalSafetyTests",
        ["MemoryEstimate"] = "accounting: Accounting/MemoryEstimateTests",
        ["FineTuningScorecard"] = "a weighted mean of two scores",
        ["TrainableCheckpoint"] = "file format: Training tests (refuses unknown/frozen/missing tensors)",
        ["SafetensorsWriter"] = "file format: Serialization tests",
        ["FloatConversion"] = "file format: Serialization tests",
        ["PeftLoraAdapter"] = "file format: Serialization tests",
        ["SftDataset"] = "Training tests",
        ["DpoTrainer"] = "Training tests (FTG0006-0008 wording)",
        ["SftBatch"] = "Training tests; the no-target case is in Properties/InvariantPropertyTests",
    };

    /// <summary>Methods that accept every input of their types (documented here instead of a case).</summary>
    private static readonly Dictionary<string, string> TotalFunctions = new()
    {
        ["NonFinite.IndexOf"] = "any span, the empty one included (-1)",
        ["NonFinite.AllFinite"] = "any span (true for empty)",
    };

    private static readonly LoraShape L = new(4, 3, 2);          // W 12, A 8, B 6; rows 2: x 8, y 6
    private static readonly AdapterShape Ad = new(4, 2);         // down 8, up 8
    private static readonly AttentionShape At = new(1, 2, 1, 3, 4); // q/out 24, k/v 12, lse 6
    private static readonly PrefixShape Pf = new(2, 2, 1, 4);    // layer 8, all 32
    private static readonly PrefixEncoderShape Pe = new(1, 2, 1, 4, 3);
    private static readonly SoftPromptShape Sp = new(2, 2, 3, 4); // prompt 8, embeddings 24, output 40

    private static float[] F(int n) => new float[n];

    private static int[] I(int n) => new int[n];

    public static IEnumerable<BadInput> Cases()
    {
        // Kernels
        yield return new("Lora.Scaling", "rank", () => Lora.Scaling(8, 0), false);
        yield return new("Lora.InitializeA", "a", () => Lora.InitializeA(L, F(7), new SeededRandom(1)));
        yield return new("Lora.Forward", "weight", () => Lora.Forward(L, 1, 2, F(8), F(11), F(8), F(6), F(6)));
        yield return new("Lora.Forward", "x", () => Lora.Forward(L, 1, 2, F(9), F(12), F(8), F(6), F(6)));
        yield return new("Lora.Forward", "rows", () => Lora.Forward(L, 1, 0, F(0), F(12), F(8), F(6), F(0)), false);
        yield return new("Lora.Backward", "dy", () => Lora.Backward(L, 1, 2, F(8), F(12), F(8), F(6), F(5), F(8), F(6), F(8)));
        yield return new("Lora.Backward", "da", () => Lora.Backward(L, 1, 2, F(8), F(12), F(8), F(6), F(6), F(9), F(6), F(8)));
        yield return new("Lora.MergeInto", "b", () => Lora.MergeInto(L, 1, F(12), F(8), F(5)));
        yield return new("Lora.UnmergeFrom", "a", () => Lora.UnmergeFrom(L, 1, F(12), F(7), F(6)));
        yield return new("Lora.SafeMergeInto", "weight", () => Lora.SafeMergeInto(L, 1, F(13), F(8), F(6)));
        yield return new("Adapter.InitializeDown", "down", () => Adapter.InitializeDown(Ad, F(7), new SeededRandom(1)));
        yield return new("Adapter.Forward", "up", () => Adapter.Forward(Ad, AdapterActivation.Relu, 2, F(8), F(8), F(2), F(7), F(4), F(4), F(8)));
        yield return new("Adapter.Backward", "dy", () => Adapter.Backward(Ad, AdapterActivation.Relu, 2, F(8), F(8), F(8), F(4), F(7), F(8), F(2), F(8), F(4), F(8)));
        yield return new("Gemm.Multiply", "c", () => Gemm.Multiply(false, false, 2, 3, 4, 1, F(8), F(12), 0, F(5)));
        yield return new("Gemm.Multiply", "b", () => Gemm.Multiply(false, true, 2, 3, 4, 1, F(8), F(11), 0, F(6)));
        yield return new("TruncatedSvd.SingularValues(matrix,rows,cols,values", "values", () => TruncatedSvd.SingularValues(F(6), 2, 3, new double[1]));
        yield return new("TruncatedSvd.SingularValues(matrix,rows,cols)", "matrix", () => TruncatedSvd.SingularValues(F(5), 2, 3));
        yield return new("TruncatedSvd.RelativeError", "rank", () => TruncatedSvd.RelativeError(F(6), 2, 3, -1), false);
        yield return new("TruncatedSvd.Approximate", "approximation", () => TruncatedSvd.Approximate(F(6), 2, 3, 1, F(5)));

        // Losses
        yield return new("CrossEntropy.Loss", "logits", () => CrossEntropy.Loss(F(6), I(3), 3)); // rows come from the labels
        yield return new("CrossEntropy.Loss", "labels", () => CrossEntropy.Loss(F(6), new[] { 0, 3 }, 3), false);
        yield return new("CrossEntropy.Loss", "labelSmoothing", () => CrossEntropy.Loss(F(6), I(2), 3, labelSmoothing: 1f), false);
        yield return new("CrossEntropy.MaskedLoss", "mask", () => CrossEntropy.MaskedLoss(F(6), I(2), F(3), 3));
        yield return new("CrossEntropy.MaskedLoss", "mask", () => CrossEntropy.MaskedLoss(F(6), I(2), new[] { 1f, float.NaN }, 3), false);
        yield return new("CrossEntropy.UnmaskedLoss", "gradLogits", () => CrossEntropy.UnmaskedLoss(F(6), I(2), 3, F(5)));
        yield return new("CrossEntropy.TokenLosses", "losses", () => CrossEntropy.TokenLosses(F(6), I(2), 3, F(3)));
        yield return new("TokenLoss.AnswerOnlyMean", "mask", () => TokenLoss.AnswerOnlyMean(F(3), F(2)));
        yield return new("TokenLoss.Mean", "tokenLosses", () => TokenLoss.Mean(F(0)), false);
        yield return new("SftLabels.AnswerOnly(inputIds,promptLength,sequenceLength", "promptLength", () => SftLabels.AnswerOnly(I(4), 5, 4, I(4)), false);
        yield return new("SftLabels.AnswerOnly(inputIds,promptLength,labels", "labels", () => SftLabels.AnswerOnly(I(4), 1, I(3)));
        yield return new("SftLabels.AnswerOnly(inputIds,promptLengths", "sequenceLengths", () => SftLabels.AnswerOnly(I(8), I(3), I(2), I(8)));
        yield return new("SftLabels.AnswerMask", "promptLength", () => SftLabels.AnswerMask(-1, 4, F(4)), false);
        yield return new("KlDivergence.TunedToBase", "baseLogits", () => KlDivergence.TunedToBase(F(6), F(5), 3));
        yield return new("KlDivergence.PerRow", "tunedLogits", () => KlDivergence.PerRow(F(6), F(6), 3, F(3))); // rows come from klPerRow
        yield return new("KlDivergence.FromProbabilities", "base", () => KlDivergence.FromProbabilities(new double[3], new double[2]));
        yield return new("KlDivergence.FromProbabilities", "tuned", () => KlDivergence.FromProbabilities(new[] { -0.5, 1.5 }, new[] { 0.5, 0.5 }), false);
        yield return new("SequenceLogProb.Sum", "completionMask", () => SequenceLogProb.Sum(F(6), I(2), F(3), 3));
        yield return new("SequenceLogProb.PerSequence", "completionMask", () => SequenceLogProb.PerSequence(F(6), I(2), F(3), 3, F(1)));
        yield return new("Dpo.Loss(policyChosen,policyRejected,referenceChosen,referenceRejected,beta,type,labelSmoothing)", "beta", () => Dpo.Loss(-1, -2, -1, -2, 0), false);
        yield return new("Dpo.Loss(policyChosen,policyRejected,referenceChosen,referenceRejected,beta,type,labelSmoothing)", "policyChosen", () => Dpo.Loss(float.NaN, -2, -1, -2, 0.1f), false);
        yield return new("Dpo.Loss(policyChosen,policyRejected,referenceChosen,referenceRejected,beta,type,gradChosen", "referenceChosen", () => Dpo.Loss(F(2), F(2), F(0), F(0), 0.1f, DpoLossType.Sigmoid, default, default), false);
        yield return new("Dpo.Loss(policyChosen,policyRejected,referenceChosen,referenceRejected,beta,type,gradChosen", "referenceRejected", () => Dpo.Loss(F(2), F(2), F(2), F(1), 0.1f, DpoLossType.Sigmoid, default, default));
        yield return new("ReferenceFree.SimPo", "chosenLength", () => ReferenceFree.SimPo(-1, 0, -2, 3), false);
        yield return new("ReferenceFree.Orpo", "chosenAverageLogProb", () => ReferenceFree.Orpo(float.NaN, -1), false);

        // Attention
        yield return new("CausalAttention.Forward", "k", () => CausalAttention.Forward(At, F(24), F(11), F(12), default, default, F(24), F(6)));
        yield return new("CausalAttention.Forward", "output", () => CausalAttention.Forward(At, F(24), F(12), F(12), default, default, F(23), F(6)));
        yield return new("CausalAttention.Backward", "dq", () => CausalAttention.Backward(At, F(24), F(12), F(12), default, default, F(24), F(6), F(24), F(23), F(12), F(12), default, default));
        yield return new("LayerPrefixes.Keys", "layer", () => LayerPrefixes.Keys(Pf, F(32), 2), false);
        yield return new("LayerPrefixes.Values", "prefixes", () => LayerPrefixes.Values(Pf, F(31), 0));
        yield return new("LayerPrefixes.WritableKeys", "prefixes", () => LayerPrefixes.WritableKeys(Pf, F(33), 0));
        yield return new("LayerPrefixes.WritableValues", "layer", () => LayerPrefixes.WritableValues(Pf, F(32), -1), false);
        yield return new("LayerPrefixes.EnsureCompatible", "attention", () => LayerPrefixes.EnsureCompatible(Pf, At with { PrefixLength = 3 }), false);
        yield return new("LayerPrefixes.EnsureSame", "actual", () => LayerPrefixes.EnsureSame(Pf, Pf with { Layers = 3 }), false);
        yield return new("LayerPrefixes.Load", "target", () => LayerPrefixes.Load(Pf, F(31), Pf, F(32)));
        yield return new("LayerPrefixes.Forward", "layer", () => LayerPrefixes.Forward(Pf, F(32), 5, At with { PrefixLength = 2 }, F(24), F(12), F(12), F(24), F(6)), false);
        yield return new("LayerPrefixes.Backward", "prefixGradients", () => LayerPrefixes.Backward(Pf, F(32), 0, At with { PrefixLength = 2 }, F(24), F(12), F(12), F(24), F(6), F(24), F(24), F(12), F(12), F(31)));
        yield return new("PrefixEncoder.Forward", "embedding", () => PrefixEncoder.Forward(Pe, F(7), F(12), F(3), F(24), F(8), F(6), F(16)));
        yield return new("PrefixEncoder.Backward", "hidden", () => PrefixEncoder.Backward(Pe, F(8), F(12), F(24), F(5), F(16), F(8), F(12), F(3), F(24), F(8)));
        yield return new("PrefixEncoder.Fold", "secondBias", () => PrefixEncoder.Fold(Pe, F(8), F(12), F(3), F(24), F(7), F(16)));
        yield return new("PrefixEncoder.Initialize", "firstWeight", () => PrefixEncoder.Initialize(Pe, F(8), F(11), F(3), F(24), F(8), new SeededRandom(1)));
        yield return new("SoftPrompt.Prepend", "prompt", () => SoftPrompt.Prepend(Sp, F(7), F(24), F(40)));
        yield return new("SoftPrompt.BackwardSlice", "promptGradient", () => SoftPrompt.BackwardSlice(Sp, F(40), F(7), default));
        yield return new("SoftPrompt.Positions", "positions", () => SoftPrompt.Positions(Sp, I(9)));
        yield return new("SoftPrompt.PrependLabels", "labels", () => SoftPrompt.PrependLabels(Sp, I(5), I(10)));
        yield return new("SoftPrompt.PrependPaddingMask", "tokenMask", () => SoftPrompt.PrependPaddingMask(Sp, new bool[5], new bool[10]));

        // Decoding
        yield return new("TokenSampler.ArgMax", "logits", () => TokenSampler.ArgMax(F(0)), false);
        yield return new("TokenSampler.Distribution", "probabilities", () => TokenSampler.Distribution(F(3), SamplingOptions.Greedy, new double[2]));
        yield return new("TokenSampler.Sample", "logits", () => TokenSampler.Sample(F(0), SamplingOptions.Greedy, new SeededRandom(1)), false);
        yield return new("TextGenerator.Generate", "maxNewTokens", () => TextGenerator.Generate(new ZeroModel(), new[] { 1 }, -1, SamplingOptions.Greedy), false);
        yield return new("TextGenerator.Generate", "prompt", () => TextGenerator.Generate(new ZeroModel(), new[] { 7 }, 2, SamplingOptions.Greedy), false);

        // Optimization
        yield return new("GradientClipping.ClipByGlobalNorm(parameters", "maxNorm", () => GradientClipping.ClipByGlobalNorm(new[] { new Parameter("p", F(2)) }, -1), false);
        yield return new("GradientClipping.ClipByGlobalNorm(optimizer", "maxNorm", () => GradientClipping.ClipByGlobalNorm(new AdamW(new[] { new ParameterGroup("g", 1e-3f) { new Parameter("p", F(2)) } }), float.NaN), false);
        yield return new("LayerwiseLrDecay.LearningRate", "layer", () => LayerwiseLrDecay.LearningRate(1e-3f, 0.9f, 5, 3), false);
        yield return new("LayerwiseLrDecay.LearningRateDouble", "gamma", () => LayerwiseLrDecay.LearningRateDouble(1e-3, -0.5, 1, 3), false);
        // Found by this registry: Apply checked nothing when no group held a layered parameter (fixed in LayerwiseLrDecay.Apply).
        yield return new("LayerwiseLrDecay.Apply", "etaTop", () => LayerwiseLrDecay.Apply(new[] { new ParameterGroup("g", 1e-3f) }, -1f, 0.9f, 3), false);
        yield return new("LayerwiseLrDecay.Apply", "gamma", () => LayerwiseLrDecay.Apply(new[] { new ParameterGroup("g", 1e-3f) }, 1e-3f, float.NaN, 3), false);
        yield return new("LayerwiseLrDecay.Apply", "topLayer", () => LayerwiseLrDecay.Apply(new[] { new ParameterGroup("g", 1e-3f) }, 1e-3f, 0.9f, -1), false);
    }

    public static TheoryData<BadInput> All()
    {
        var data = new TheoryData<BadInput>();
        foreach (BadInput c in Cases())
        {
            data.Add(c);
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(All))]
    public void BadInputThrowsNamingTheParameter(BadInput bad)
    {
        ArgumentException e = Assert.ThrowsAny<ArgumentException>(bad.Call);
        Assert.True(
            e.ParamName == bad.Parameter || e.Message.Contains($"'{bad.Parameter}", StringComparison.Ordinal) || e.Message.Contains(bad.Parameter, StringComparison.Ordinal),
            $"{bad}: message does not name '{bad.Parameter}' (ParamName '{e.ParamName}'): {e.Message}");
        if (bad.IsShape)
        {
            // Expected and actual: "must have shape [..]; got [..]" / "must hold at least n elements; got m".
            Assert.Contains("got", e.Message, StringComparison.Ordinal);
            Assert.Matches(@"\d", e.Message);
        }
    }

    [Fact]
    public void EveryPublicEntryPointHasABadInputCase()
    {
        string[] registered = Cases().Select(c => c.Method).Distinct().ToArray();
        var missing = new List<string>();
        foreach (MethodInfo method in PublicStaticEntryPoints())
        {
            string key = Key(method);
            string shortKey = $"{method.DeclaringType!.Name}.{method.Name}";
            if (TotalFunctions.ContainsKey(shortKey))
            {
                continue;
            }

            bool covered = registered.Any(r => r.Contains('(') ? key.StartsWith(r, StringComparison.Ordinal) : shortKey == r);
            if (!covered)
            {
                missing.Add(key);
            }
        }

        Assert.True(missing.Count == 0, "public entry points without a bad-input case:\n  " + string.Join("\n  ", missing));
    }

    [Fact]
    public void TheDocumentedExemptionsStillExist()
    {
        var names = typeof(Lora).Assembly.GetExportedTypes().Select(t => t.Name).ToHashSet();
        Assert.All(OutOfScope.Keys, k => Assert.Contains(k, names));
    }

    /// <summary>Public static methods of the public static classes of namespaces FineTuneGuard and FineTuneGuard.Attention.</summary>
    internal static IEnumerable<MethodInfo> PublicStaticEntryPoints()
        => typeof(Lora).Assembly.GetExportedTypes()
            .Where(t => t.IsAbstract && t.IsSealed && t.Namespace is "FineTuneGuard" or "FineTuneGuard.Attention" && !OutOfScope.ContainsKey(t.Name))
            .SelectMany(t => t.GetMethods(BindingFlags.Public | BindingFlags.Static | BindingFlags.DeclaredOnly))
            .Where(m => !m.IsSpecialName)
            .OrderBy(Key, StringComparer.Ordinal);

    private static string Key(MethodInfo m) => $"{m.DeclaringType!.Name}.{m.Name}({string.Join(",", m.GetParameters().Select(p => p.Name))})";

    private sealed class ZeroModel : ICausalLanguageModel
    {
        public int VocabSize => 3;

        public IReadOnlyList<ModelParameter> Parameters { get; } = Array.Empty<ModelParameter>();

        public void Forward(ReadOnlySpan<int> tokens, int batch, int sequenceLength, Span<float> logits) => logits.Clear();

        public void Backward(ReadOnlySpan<float> gradLogits)
        {
        }
    }
}
