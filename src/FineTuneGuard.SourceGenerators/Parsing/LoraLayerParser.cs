using System;
using System.Collections.Generic;
using FineTuneGuard.Internal;
using FineTuneGuard.SourceGenerators.Helpers;
using FineTuneGuard.SourceGenerators.Models;
using Microsoft.CodeAnalysis;

namespace FineTuneGuard.SourceGenerators.Parsing;

/// <summary>Parses and validates <c>[LoraLayer]</c>; shared by the generator (to emit) and the analyzer (to report FTG0101).</summary>
internal static class LoraLayerParser
{
    public const string AttributeMetadataName = "FineTuneGuard.LoraLayerAttribute";
    private const string Name = "LoraLayer";

    public static ParseResult<LoraLayerInfo> Parse(INamedTypeSymbol type, AttributeData attribute)
    {
        var errors = new List<string>();
        TypeDeclarationInfo? declaration = TypeDeclarationParser.Parse(type, Name, errors);
        var args = new AttributeArguments(attribute);

        bool ok = true;
        ok &= RequirePositive(args, 0, "inFeatures", errors, out int inFeatures);
        ok &= RequirePositive(args, 1, "outFeatures", errors, out int outFeatures);
        if (!args.TryGetNamed("Rank", 8, out int rank) || rank <= 0)
        {
            errors.Add($"[{Name}] Rank must be a positive int constant; got {rank}");
            ok = false;
        }

        if (!args.TryGetNamed("Alpha", 8f, out float alpha) || !(alpha > 0) || float.IsInfinity(alpha))
        {
            errors.Add($"[{Name}] Alpha must be a finite float > 0; got {alpha}");
            ok = false;
        }

        if (!args.TryGetNamed("UseRsLora", false, out bool useRsLora))
        {
            errors.Add($"[{Name}] UseRsLora must be a bool constant");
            ok = false;
        }

        if (!args.TryGetNamed("Dropout", 0f, out float dropout) || !(dropout >= 0 && dropout < 1))
        {
            errors.Add($"[{Name}] Dropout must be in [0, 1); got {dropout}");
            ok = false;
        }

        long count = 0;
        if (ok)
        {
            try
            {
                count = ParameterArithmetic.Lora(inFeatures, outFeatures, rank);
            }
            catch (OverflowException)
            {
                errors.Add($"[{Name}] the trainable-parameter count Rank·(inFeatures + outFeatures) overflows long");
                ok = false;
            }
        }

        LoraLayerInfo? info = ok && declaration is not null
            ? new LoraLayerInfo(declaration, inFeatures, outFeatures, rank, alpha, useRsLora, dropout, count, ParameterArithmetic.LoraScaling(alpha, rank, useRsLora))
            : null;
        return new ParseResult<LoraLayerInfo>(info, errors.ToEquatableArray());
    }

    private static bool RequirePositive(AttributeArguments args, int index, string parameter, List<string> errors, out int value)
    {
        if (!args.TryGetConstructorInt(index, out value))
        {
            errors.Add($"[{Name}] argument '{parameter}' is missing or not an int constant");
            return false;
        }

        if (value <= 0)
        {
            errors.Add($"[{Name}] argument '{parameter}' must be > 0; got {value}");
            return false;
        }

        return true;
    }
}
