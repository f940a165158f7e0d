using System;
using Microsoft.CodeAnalysis;

namespace FineTuneGuard.SourceGenerators.Analyzers.Training;

/// <summary>Which factor of a LoRA update <c>ΔW = s·B·A</c> a member holds.</summary>
internal enum LoraMatrix
{
    None,
    A,
    B,
}

/// <summary>
/// Recognises LoRA factors by the names every code base uses: PEFT's <c>lora_A</c>/<c>lora_B</c> (and the embedding
/// variant <c>lora_embedding_A</c>/<c>lora_embedding_B</c>), kohya's <c>lora_down</c>/<c>lora_up</c>, camel-case
/// <c>LoraA</c>/<c>loraB</c>, and the bare <c>A</c>/<c>B</c> of FineTuneGuard's generated layers — the bare names only
/// in a type that is visibly a LoRA type, because <c>b</c> is a bias everywhere else.
/// </summary>
internal static class LoraMatrixRole
{
    public static LoraMatrix Of(ISymbol member, bool typeIsLoraLayer)
    {
        if (member is not (IFieldSymbol or IPropertySymbol))
        {
            return LoraMatrix.None;
        }

        string n = OperationFacts.Normalize(member.Name);
        if (n == "a" || n == "b")
        {
            if (!typeIsLoraLayer && !OperationFacts.NameContains(member.ContainingType?.Name, "lora"))
            {
                return LoraMatrix.None;
            }

            return n == "a" ? LoraMatrix.A : LoraMatrix.B;
        }

        if (!n.StartsWith("lora", StringComparison.Ordinal))
        {
            return LoraMatrix.None;
        }

        // Only the exact factor names after the prefix: lora_alpha, lora_dropout, lora_rank are not factors.
        string rest = n.Substring("lora".Length);
        if (rest.StartsWith("embedding", StringComparison.Ordinal))
        {
            rest = rest.Substring("embedding".Length);
        }

        switch (rest)
        {
            case "b" or "up" or "bweight" or "matrixb":
                return LoraMatrix.B;
            case "a" or "down" or "aweight" or "matrixa":
                return LoraMatrix.A;
        }

        return LoraMatrix.None;
    }

    /// <summary>The other factor declared next to <paramref name="member"/> (<c>lora_B</c> → <c>lora_A</c>), if any.</summary>
    public static ISymbol? Counterpart(ISymbol member, LoraMatrix role)
    {
        INamedTypeSymbol? type = member.ContainingType;
        if (type is null)
        {
            return null;
        }

        string n = OperationFacts.Normalize(member.Name);
        string wanted = role == LoraMatrix.B ? Swap(n, "b", "a", "up", "down") : Swap(n, "a", "b", "down", "up");
        foreach (ISymbol candidate in type.GetMembers())
        {
            if (candidate is (IFieldSymbol or IPropertySymbol) && !candidate.IsImplicitlyDeclared
                && OperationFacts.Normalize(candidate.Name) == wanted)
            {
                return candidate;
            }
        }

        return null;
    }

    private static string Swap(string name, string letter, string otherLetter, string word, string otherWord)
    {
        if (name.EndsWith("weight", StringComparison.Ordinal))
        {
            return Swap(name.Substring(0, name.Length - "weight".Length), letter, otherLetter, word, otherWord) + "weight";
        }

        if (name.EndsWith(word, StringComparison.Ordinal))
        {
            return name.Substring(0, name.Length - word.Length) + otherWord;
        }

        return name.EndsWith(letter, StringComparison.Ordinal) ? name.Substring(0, name.Length - letter.Length) + otherLetter : name;
    }
}
