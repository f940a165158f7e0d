namespace FineTuneGuard.FuzzTests;

/// <summary>One fuzzed source: where it came from (kind and seed) and its text.</summary>
internal sealed record FuzzCase(int Index, string Kind, string Origin, string Text, bool UsesTorch)
{
    public override string ToString() => $"#{Index} {Kind} of {Origin}";
}

/// <summary>
/// The fuzz campaign: a deterministic list of sources, a function of <see cref="Seed"/> and the iteration count only.
/// Three parts: (1) the full grid "every argument of every attribute × every edge value", (2) every layer attribute on
/// every kind of declaration in every namespace style, (3) random mutation chains (prefix, token deletion/duplication,
/// edge values, declaration kinds, namespace styles, duplicate attributes) of the repository's own sources.
/// </summary>
internal static class FuzzCases
{
    /// <summary>The campaign's seed: 20261123 in CI; <c>FTG_FUZZ_SEED</c> explores other mutation chains.</summary>
    public static int Seed { get; } = int.TryParse(Environment.GetEnvironmentVariable("FTG_FUZZ_SEED"), out int seed) ? seed : 20261123;

    /// <summary>Random mutation cases in the CI run; <c>FTG_FUZZ_ITERATIONS</c> overrides.</summary>
    public const int DefaultIterations = 1100;

    public static int Iterations
        => int.TryParse(Environment.GetEnvironmentVariable("FTG_FUZZ_ITERATIONS"), out int n) && n > 0 ? n : DefaultIterations;

    public static IReadOnlyList<FuzzCase> Create(int iterations)
    {
        var cases = new List<FuzzCase>();
        var random = new Random(Seed);

        // (1) Edge-value grid.
        foreach (AttributeSpec spec in AttributeCatalog.All)
        {
            foreach (ArgumentSlot slot in spec.Slots)
            {
                foreach (string? edge in AttributeCatalog.EdgeValues)
                {
                    string attribute = spec.Render(new Dictionary<string, string?> { [slot.Name] = edge });
                    string text = Declarations.Wrap(Declarations.Styles[random.Next(Declarations.Styles.Length)], Declarations.ForAttribute(spec, attribute, "partial class"));
                    cases.Add(new FuzzCase(cases.Count, "edge-grid", $"{spec.Name}.{slot.Name} = {edge ?? "<missing>"}", text, false));
                }
            }
        }

        // (2) Declaration kinds × namespace styles.
        foreach (AttributeSpec spec in AttributeCatalog.Layers.Append(AttributeCatalog.LoraTargets))
        {
            foreach (string kind in Declarations.Kinds)
            {
                foreach (string style in Declarations.Styles)
                {
                    string text = Declarations.Wrap(style, Declarations.ForAttribute(spec, spec.Render(), kind));
                    cases.Add(new FuzzCase(cases.Count, "declaration-kind", $"{spec.Name} on {kind} ({style})", text, false));
                }
            }
        }

        // (3) Mutation chains of the repository's sources.
        var seeds = SeedCorpus.All;
        for (int i = 0; i < iterations; i++)
        {
            Seed seed = seeds[random.Next(seeds.Length)];
            string text = seed.Text;
            int steps = 1 + (random.Next(4) == 0 ? random.Next(3) : 0);
            var names = new List<string>();
            for (int s = 0; s < steps; s++)
            {
                var (name, apply) = Mutators.All[random.Next(Mutators.All.Length)];
                names.Add(name);
                text = apply(text, random);
            }

            cases.Add(new FuzzCase(cases.Count, string.Join("+", names), seed.Name, text, seed.UsesTorch));
        }

        return cases;
    }
}

/// <summary>Declaration templates: where an attribute sits and in which namespace style.</summary>
internal static class Declarations
{
    public static readonly string[] Styles = { "global", "block", "file-scoped" };

    public static readonly string[] Kinds =
    {
        "partial class", "class", "sealed partial class", "static partial class", "abstract partial class", "file partial class",
        "partial record", "partial record struct", "partial struct", "readonly partial struct", "ref partial struct", "partial interface",
        "generic partial class", "nested partial class", "nested in non-partial class", "nested in generic class", "nested in struct",
        "duplicate attribute", "two parts both attributed", "primary constructor", "member conflict", "method target", "enum",
        "two layer attributes",
    };

    public static string Wrap(string style, string body) => style switch
    {
        "block" => "using FineTuneGuard;\nnamespace Fuzz.Block\n{\n" + body + "\n}\n",
        "file-scoped" => "using FineTuneGuard;\nnamespace Fuzz.Scoped;\n" + body + "\n",
        _ => "using FineTuneGuard;\n" + body + "\n",
    };

    /// <summary>A declaration carrying <paramref name="attribute"/> (a rendered attribute of <paramref name="spec"/>) as <paramref name="kind"/>.</summary>
    public static string ForAttribute(AttributeSpec spec, string attribute, string kind)
    {
        if (spec.OnMember)
        {
            // [Shape] on a weight member adapted by a LoRA layer.
            return "[LoraLayer(16, 12, Rank = 4)] public partial class FuzzLora { }\n"
                 + "public sealed class FuzzBlock\n{\n"
                 + $"    [Frozen, {attribute}] public float[] Weight {{ get; }} = new float[12 * 16];\n"
                 + "    [Trainable] public FuzzLora WeightLora { get; } = new();\n"
                 + "    public void Merge() => WeightLora.MergeInto(Weight);\n}\n";
        }

        string attributes = spec.Name is "LoraTargets" or "MemoryBudget"
            ? $"[TransformerModel(2, 64, 4, 128, 100), {attribute}]"
            : $"[{attribute}]";
        return kind switch
        {
            "partial class" => $"{attributes} public partial class FuzzLayer {{ }}",
            "class" => $"{attributes} public class FuzzLayer {{ }}",
            "sealed partial class" => $"{attributes} public sealed partial class FuzzLayer {{ }}",
            "static partial class" => $"{attributes} public static partial class FuzzLayer {{ }}",
            "abstract partial class" => $"{attributes} public abstract partial class FuzzLayer {{ }}",
            "file partial class" => $"{attributes} file partial class FuzzLayer {{ }}",
            "partial record" => $"{attributes} public partial record FuzzLayer(int X);",
            "partial record struct" => $"{attributes} public partial record struct FuzzLayer(int X);",
            "partial struct" => $"{attributes} public partial struct FuzzLayer {{ }}",
            "readonly partial struct" => $"{attributes} public readonly partial struct FuzzLayer {{ }}",
            "ref partial struct" => $"{attributes} public ref partial struct FuzzLayer {{ }}",
            "partial interface" => $"{attributes} public partial interface IFuzzLayer {{ }}",
            "generic partial class" => $"{attributes} public partial class FuzzLayer<T> where T : struct {{ }}",
            "nested partial class" => $"public partial class FuzzOuter {{ {attributes} public partial class FuzzLayer {{ }} }}",
            "nested in non-partial class" => $"public class FuzzOuter {{ {attributes} public partial class FuzzLayer {{ }} }}",
            "nested in generic class" => $"public partial class FuzzOuter<T> {{ {attributes} internal partial class FuzzLayer {{ }} }}",
            "nested in struct" => $"public partial struct FuzzOuter {{ {attributes} private partial class FuzzLayer {{ }} }}",
            "duplicate attribute" => $"{attributes}{attributes} public partial class FuzzLayer {{ }}",
            "two parts both attributed" => $"{attributes} public partial class FuzzLayer {{ }}\n{attributes} public partial class FuzzLayer {{ }}",
            "primary constructor" => $"{attributes} public partial class FuzzLayer(int seed) {{ public int Seed => seed; }}",
            "member conflict" => $"{attributes} public partial class FuzzLayer {{ public const long TrainableParameterCount = 1; public int Rank => 0; public float[] A = new float[1]; }}",
            "method target" => $"public partial class FuzzHost {{ {attributes} public void M() {{ }} }}",
            "enum" => $"{attributes} public enum FuzzLayer {{ A }}",
            "two layer attributes" => $"{attributes}[PromptTuning(4, 8)] public partial class FuzzLayer {{ }}",
            _ => throw new ArgumentOutOfRangeException(nameof(kind), kind, null),
        };
    }
}
