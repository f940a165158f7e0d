using System.Collections.Generic;
using FineTuneGuard.Internal;
using FineTuneGuard.SourceGenerators.Helpers;
using FineTuneGuard.SourceGenerators.Models;
using Microsoft.CodeAnalysis;

namespace FineTuneGuard.SourceGenerators.Parsing;

/// <summary>Parses and validates <c>[LoraLayer]</c>; shared by the generator (to emit) and the analyzers (FTG0101, FTG0102, FTG0103).</summary>
internal static class LoraLayerParser
{
    public const string AttributeMetadataName = "FineTuneGuard.LoraLayerAttribute";
    public const string Name = "LoraLayer";

    /// <summary>The runtime class (namespace FineTuneGuard) that the generated class derives from.</summary>
    public const string BaseType = "LoraLayerBase";

    public static ParseResult<LoraLayerInfo> Parse(INamedTypeSymbol type, AttributeData attribute)
    {
        var errors = new List<string>();
        TypeDeclarationInfo? declaration = TypeDeclarationParser.Parse(type, Name, errors, GeneratedMemberNames.LoraLayer, BaseType);
        var args = new AttributeArguments(attribute);
        var rules = new ArgumentRules(args, Name, errors);

        bool ok = rules.PositiveConstructorInt(0, "inFeatures", out int inFeatures);
        ok &= rules.PositiveConstructorInt(1, "outFeatures", out int outFeatures);
        ok &= rules.PositiveNamedInt("Rank", 8, out int rank);
        ok &= rules.Alpha(out float alpha);
        ok &= rules.NamedBool("UseRsLora", false, out bool useRsLora);
        if (!args.TryGetNamed("Dropout", 0f, out float dropout))
        {
            errors.Add($"[{Name}] Dropout must be a float constant in [0, 1){rules.Got("Dropout")}");
            ok = false;
        }
        else if (!(dropout >= 0 && dropout < 1))
        {
            errors.Add($"[{Name}] Dropout must be in [0, 1); got {dropout.ToString(System.Globalization.CultureInfo.InvariantCulture)}");
            ok = false;
        }

        long count = 0;
        if (ok)
        {
            ok = rules.Count(() => ParameterArithmetic.Lora(inFeatures, outFeatures, rank), "the trainable-parameter count Rank·(inFeatures + outFeatures)", out count)
                 && rules.FitsInArray("A", "Rank·inFeatures", ParameterArithmetic.SaturatingProduct(rank, inFeatures), out _)
                 && rules.FitsInArray("B", "outFeatures·Rank", ParameterArithmetic.SaturatingProduct(outFeatures, rank), out _)
                 && rules.FitsInArray("adapted weight", "outFeatures·inFeatures", ParameterArithmetic.SaturatingProduct(outFeatures, inFeatures), out _);
        }

        LoraLayerInfo? info = ok && declaration is not null
            ? new LoraLayerInfo(declaration, inFeatures, outFeatures, rank, alpha, useRsLora, dropout, count, ParameterArithmetic.LoraScaling(alpha, rank, useRsLora))
            : null;
        return new ParseResult<LoraLayerInfo>(info, errors.ToEquatableArray());
    }
}
