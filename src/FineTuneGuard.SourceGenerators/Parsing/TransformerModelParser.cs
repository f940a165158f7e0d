using System;
using System.Collections.Generic;
using System.Linq;
using FineTuneGuard.Internal;
using FineTuneGuard.SourceGenerators.Helpers;
using FineTuneGuard.SourceGenerators.Models;
using Microsoft.CodeAnalysis;

namespace FineTuneGuard.SourceGenerators.Parsing;

/// <summary>
/// Parses and validates <c>[TransformerModel]</c> together with the optional <c>[LoraTargets]</c> on the same class;
/// shared by the generator and the analyzers (FTG0101, FTG0102, FTG0103, FTG0104).
/// </summary>
internal static class TransformerModelParser
{
    public const string AttributeMetadataName = "FineTuneGuard.TransformerModelAttribute";
    public const string TargetsMetadataName = "FineTuneGuard.LoraTargetsAttribute";
    public const string Name = "TransformerModel";
    public const string TargetsName = "LoraTargets";

    /// <summary>Finds <c>[LoraTargets]</c> among the attributes of <paramref name="type"/> by metadata name.</summary>
    public static AttributeData? FindTargets(INamedTypeSymbol type)
    {
        foreach (AttributeData attribute in type.GetAttributes())
        {
            if (attribute.AttributeClass is { Name: "LoraTargetsAttribute" } c && c.ToDisplayString() == TargetsMetadataName)
            {
                return attribute;
            }
        }

        return null;
    }

    public static ParseResult<TransformerModelInfo> Parse(INamedTypeSymbol type, AttributeData attribute, AttributeData? targets)
    {
        var errors = new List<string>();
        TypeDeclarationInfo? declaration = TypeDeclarationParser.Parse(type, Name, errors, GeneratedMemberNames.TransformerModel);
        var rules = new ArgumentRules(new AttributeArguments(attribute), Name, errors);

        bool ok = rules.PositiveConstructorInt(0, "layers", out int layers);
        ok &= rules.PositiveConstructorInt(1, "hidden", out int hidden);
        ok &= rules.PositiveConstructorInt(2, "heads", out int heads);
        ok &= rules.PositiveConstructorInt(3, "intermediate", out int intermediate);
        ok &= rules.PositiveConstructorInt(4, "vocab", out int vocab);
        ok &= rules.NonNegativeNamedInt("KvHeads", out int kvHeads);
        ok &= rules.NonNegativeNamedInt("HeadDim", out int headDim);
        ok &= rules.NamedBool("TiedEmbeddings", false, out bool tied);
        ok &= rules.NamedBool("AttentionBias", false, out bool attentionBias);

        if (ok)
        {
            if (kvHeads == 0)
            {
                kvHeads = heads;
            }
            else if (kvHeads > heads || heads % kvHeads != 0)
            {
                errors.Add($"[{Name}] KvHeads must divide heads (grouped-query attention shares each key/value head among heads / KvHeads query heads); got heads {heads}, KvHeads {kvHeads}");
                ok = false;
            }

            if (headDim == 0)
            {
                if (hidden % heads != 0)
                {
                    errors.Add($"[{Name}] hidden must be a multiple of heads when HeadDim is not given (HeadDim defaults to hidden / heads); got hidden {hidden}, heads {heads}");
                    ok = false;
                }

                headDim = hidden / heads;
            }
        }

        long baseCount = 0;
        if (ok)
        {
            ok = rules.IntProduct("the attention width", "heads·headDim", heads, headDim, out _)
                 && rules.Count(() => ParameterArithmetic.TransformerTotal(layers, hidden, heads, kvHeads, headDim, intermediate, vocab, tied, attentionBias), "the parameter count of the base model", out baseCount);
        }

        bool hasTargets = targets is not null;
        var targetInfos = new List<LoraTargetInfo>();
        int rank = 0;
        float alpha = 0;
        bool useRsLora = false;
        long trainable = baseCount;
        long total = baseCount;
        if (targets is not null)
        {
            ok &= ParseTargets(targets, errors, out string[] modules, out rank, out alpha, out useRsLora);
            if (ok)
            {
                long perLayer = 0;
                foreach (string module in modules)
                {
                    ParameterArithmetic.TryGetModuleShape(module, hidden, heads, kvHeads, headDim, intermediate, out int inFeatures, out int outFeatures);
                    long count = ParameterArithmetic.Lora(inFeatures, outFeatures, rank);
                    perLayer += count;
                    targetInfos.Add(new LoraTargetInfo(module, MemberPrefix(module), inFeatures, outFeatures, count));
                }

                foreach (LoraTargetInfo target in targetInfos)
                {
                    foreach (string suffix in new[] { "InFeatures", "OutFeatures", "LoraParametersPerLayer" })
                    {
                        string member = target.MemberPrefix + suffix;
                        if (type.Name == member)
                        {
                            errors.Add($"[{TargetsName}] cannot complete a class named '{type.Name}': it generates a member '{type.Name}' for {target.Module}; rename the class");
                            ok = false;
                        }
                        else if (TypeDeclarationParser.DeclaresMember(type, member))
                        {
                            errors.Add($"[{TargetsName}] generates the member '{member}' of '{type.Name}' for {target.Module}, which the class already declares; rename or remove the class's '{member}'");
                            ok = false;
                        }
                    }
                }

                var targetRules = new ArgumentRules(new AttributeArguments(targets), TargetsName, errors);
                ok = ok && targetRules.Count(() => ParameterArithmetic.TransformerLora(layers, hidden, heads, kvHeads, headDim, intermediate, modules, rank), "the LoRA parameter count layers·Σ Rank·(in + out)", out trainable)
                     && targetRules.Count(() => checked(baseCount + trainable), "the total parameter count base + LoRA", out total);
            }
        }

        TransformerModelInfo? info = ok && declaration is not null
            ? new TransformerModelInfo(
                declaration, layers, hidden, heads, kvHeads, headDim, intermediate, vocab, tied, attentionBias, baseCount,
                hasTargets, targetInfos.ToEquatableArray(), rank, alpha, useRsLora,
                hasTargets ? ParameterArithmetic.LoraScaling(alpha, rank, useRsLora) : 0f, trainable, total)
            : null;
        return new ParseResult<TransformerModelInfo>(info, errors.ToEquatableArray());
    }

    /// <summary>Validates <c>[LoraTargets]</c> on its own (module names, Rank, Alpha); errors are worded for FTG0101.</summary>
    public static bool ParseTargets(AttributeData targets, List<string> errors, out string[] modules, out int rank, out float alpha, out bool useRsLora)
    {
        var args = new AttributeArguments(targets);
        var rules = new ArgumentRules(args, TargetsName, errors);
        bool ok = true;
        if (!args.TryGetConstructorStrings(0, out modules))
        {
            errors.Add($"[{TargetsName}] argument 'modules' must be string constants such as \"q_proj\", \"v_proj\"");
            ok = false;
        }
        else if (modules.Length == 0)
        {
            errors.Add($"[{TargetsName}] argument 'modules' names no module; known: {string.Join(", ", ParameterArithmetic.LinearModules)}");
            ok = false;
        }
        else
        {
            var seen = new HashSet<string>(StringComparer.Ordinal);
            foreach (string module in modules)
            {
                if (Array.IndexOf(ParameterArithmetic.LinearModules, module) < 0)
                {
                    errors.Add($"[{TargetsName}] argument 'modules' has the unknown module '{module}'; known: {string.Join(", ", ParameterArithmetic.LinearModules)}");
                    ok = false;
                }
                else if (!seen.Add(module))
                {
                    errors.Add($"[{TargetsName}] argument 'modules' lists '{module}' twice");
                    ok = false;
                }
            }
        }

        ok &= rules.PositiveNamedInt("Rank", 8, out rank);
        ok &= rules.Alpha(out alpha);
        ok &= rules.NamedBool("UseRsLora", false, out useRsLora);
        return ok;
    }

    /// <summary>"q_proj" → "QProj": the C# prefix of a target's generated constants.</summary>
    public static string MemberPrefix(string module)
        => string.Concat(module.Split('_').Where(p => p.Length > 0).Select(p => char.ToUpperInvariant(p[0]) + p.Substring(1)));
}
