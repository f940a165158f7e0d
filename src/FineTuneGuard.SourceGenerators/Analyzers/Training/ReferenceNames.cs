namespace FineTuneGuard.SourceGenerators.Analyzers.Training;

/// <summary>How preference-tuning code names its policy and its reference (TRL, the DPO paper, FineTuneGuard samples).</summary>
internal static class ReferenceNames
{
    /// <summary><c>reference</c>, <c>refModel</c>, <c>ref_model</c>, <c>referenceChosen</c>, <c>ref_logps</c> — but not <c>prefix</c> or <c>preference</c>.</summary>
    public static bool IsReference(string name)
    {
        string n = OperationFacts.Normalize(name);
        if (n.Contains("reference"))
        {
            return !n.Contains("preference");
        }

        // "ref" only as its own word: ref, ref_model, refLogps, ref_chosen — not refiner, refresh, refs.
        foreach (string prefix in RefPrefixes)
        {
            if (n.StartsWith(prefix, System.StringComparison.Ordinal))
            {
                return true;
            }
        }

        return n == "ref";
    }

    private static readonly string[] RefPrefixes = { "refmodel", "refpolicy", "reflog", "refchosen", "refrejected", "refnet", "reflm", "refout", "refrewards" };

    /// <summary>Names that say a value is a separate, frozen copy rather than the live policy.</summary>
    public static bool IsSeparateCopy(string name)
    {
        string n = OperationFacts.Normalize(name);
        return IsReference(name) || n.Contains("base") || n.Contains("initial") || n.Contains("sft") || n.Contains("frozen") || n.Contains("copy")
               || n.Contains("clone") || n.Contains("snapshot") || n.Contains("original") || n.Contains("pretrained");
    }

    /// <summary>The live policy: <c>policy</c>, <c>model</c>, <c>actor</c>.</summary>
    public static bool IsPolicy(string name)
    {
        string n = OperationFacts.Normalize(name);
        return n.Contains("policy") || n.Contains("actor") || n == "model" || n == "m" || n == "net";
    }

    /// <summary>Objectives that need no reference model by design (SimPO, ORPO, CPO).</summary>
    public static bool IsReferenceFreeObjective(string name)
    {
        string n = OperationFacts.Normalize(name);
        return n.Contains("simpo") || n.Contains("orpo") || n.Contains("cpo") || n.Contains("referencefree") || n.Contains("reffree");
    }
}
