namespace FineTuneGuard.FuzzTests;

/// <summary>An argument slot of a FineTuneGuard attribute: a constructor position or a named property.</summary>
internal sealed record ArgumentSlot(string Name, bool IsNamed, string ValidValue);

/// <summary>A FineTuneGuard attribute with a valid default application.</summary>
internal sealed record AttributeSpec(string Name, ArgumentSlot[] Slots, bool OnMember = false)
{
    public IEnumerable<ArgumentSlot> ConstructorSlots => Slots.Where(s => !s.IsNamed);

    /// <summary>The attribute text with every constructor argument valid and the given overrides (null value = leave out).</summary>
    public string Render(IReadOnlyDictionary<string, string?>? overrides = null)
    {
        var parts = new List<string>();
        foreach (ArgumentSlot slot in Slots)
        {
            string? value = slot.IsNamed ? null : slot.ValidValue;
            if (overrides is not null && overrides.TryGetValue(slot.Name, out string? o))
            {
                value = o;
            }

            if (value is null)
            {
                continue;
            }

            parts.Add(slot.IsNamed ? $"{slot.Name} = {value}" : value);
        }

        return $"{Name}({string.Join(", ", parts)})";
    }
}

/// <summary>The attributes of PRODUCT.md's contract and the edge values the fuzzer puts into their arguments.</summary>
internal static class AttributeCatalog
{
    public static readonly AttributeSpec LoraLayer = new("LoraLayer", new[]
    {
        new ArgumentSlot("inFeatures", false, "16"), new ArgumentSlot("outFeatures", false, "12"),
        new ArgumentSlot("Rank", true, "4"), new ArgumentSlot("Alpha", true, "8f"), new ArgumentSlot("UseRsLora", true, "true"), new ArgumentSlot("Dropout", true, "0.1f"),
    });

    public static readonly AttributeSpec BottleneckAdapter = new("BottleneckAdapter", new[]
    {
        new ArgumentSlot("modelDim", false, "32"), new ArgumentSlot("bottleneck", false, "4"), new ArgumentSlot("Bias", true, "false"),
    });

    public static readonly AttributeSpec PrefixTuning = new("PrefixTuning", new[]
    {
        new ArgumentSlot("layers", false, "2"), new ArgumentSlot("prefixLength", false, "4"), new ArgumentSlot("heads", false, "2"),
        new ArgumentSlot("headDim", false, "8"), new ArgumentSlot("ProjectionHidden", true, "16"),
    });

    public static readonly AttributeSpec PromptTuning = new("PromptTuning", new[]
    {
        new ArgumentSlot("virtualTokens", false, "8"), new ArgumentSlot("embeddingDim", false, "32"),
    });

    public static readonly AttributeSpec TransformerModel = new("TransformerModel", new[]
    {
        new ArgumentSlot("layers", false, "2"), new ArgumentSlot("hidden", false, "64"), new ArgumentSlot("heads", false, "4"),
        new ArgumentSlot("intermediate", false, "128"), new ArgumentSlot("vocab", false, "100"),
        new ArgumentSlot("KvHeads", true, "2"), new ArgumentSlot("HeadDim", true, "16"), new ArgumentSlot("TiedEmbeddings", true, "true"), new ArgumentSlot("AttentionBias", true, "true"),
    });

    public static readonly AttributeSpec LoraTargets = new("LoraTargets", new[]
    {
        new ArgumentSlot("modules", false, "\"q_proj\", \"v_proj\""), new ArgumentSlot("Rank", true, "4"), new ArgumentSlot("Alpha", true, "16f"), new ArgumentSlot("UseRsLora", true, "true"),
    });

    public static readonly AttributeSpec MemoryBudget = new("MemoryBudget", new[]
    {
        new ArgumentSlot("gib", false, "24"), new ArgumentSlot("WeightBytes", true, "2"), new ArgumentSlot("ActivationFactor", true, "1.5"),
    });

    public static readonly AttributeSpec Shape = new("Shape", new[] { new ArgumentSlot("rows", false, "12"), new ArgumentSlot("cols", false, "16") }, OnMember: true);

    /// <summary>The layer attributes, each of which makes the generator complete a partial class.</summary>
    public static readonly AttributeSpec[] Layers = { LoraLayer, BottleneckAdapter, PrefixTuning, PromptTuning, TransformerModel };

    public static readonly AttributeSpec[] All = { LoraLayer, BottleneckAdapter, PrefixTuning, PromptTuning, TransformerModel, LoraTargets, MemoryBudget, Shape };

    /// <summary>The edge values of the issue; <c>null</c> stands for "missing" (the argument left out).</summary>
    public static readonly string?[] EdgeValues =
    {
        "0", "-1", "int.MinValue", "int.MaxValue", "1e30f", "float.NaN", "float.PositiveInfinity", "-0.0f", "\"16\"", "null",
        "typeof(int)", "nameof(System.String)", "1.5", "true", "(int)1e10", "16 +", "default", null,
    };

    public static readonly string[] AttributeNames = All.Select(a => a.Name).ToArray();
}
