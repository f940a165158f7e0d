using System.Collections.Generic;
using FineTuneGuard.Internal;
using FineTuneGuard.SourceGenerators.Helpers;
using FineTuneGuard.SourceGenerators.Models;
using Microsoft.CodeAnalysis;

namespace FineTuneGuard.SourceGenerators.Parsing;

/// <summary>Parses and validates <c>[PrefixTuning]</c>; shared by the generator and the analyzers.</summary>
internal static class PrefixTuningParser
{
    public const string AttributeMetadataName = "FineTuneGuard.PrefixTuningAttribute";
    public const string Name = "PrefixTuning";

    /// <summary>The runtime class (namespace FineTuneGuard) that the generated class derives from.</summary>
    public const string BaseType = "PrefixTuningBase";

    public static ParseResult<PrefixTuningInfo> Parse(INamedTypeSymbol type, AttributeData attribute)
    {
        var errors = new List<string>();
        TypeDeclarationInfo? declaration = TypeDeclarationParser.Parse(type, Name, errors, GeneratedMemberNames.PrefixTuning, BaseType);
        var rules = new ArgumentRules(new AttributeArguments(attribute), Name, errors);

        bool ok = rules.PositiveConstructorInt(0, "layers", out int layers);
        ok &= rules.PositiveConstructorInt(1, "prefixLength", out int prefixLength);
        ok &= rules.PositiveConstructorInt(2, "heads", out int heads);
        ok &= rules.PositiveConstructorInt(3, "headDim", out int headDim);
        ok &= rules.NonNegativeNamedInt("ProjectionHidden", out int projectionHidden);

        long count = 0;
        int width = 0;
        int storage = 0;
        if (ok)
        {
            string formula = projectionHidden == 0
                ? "the trainable-parameter count layers·prefixLength·heads·headDim·2"
                : "the trainable-parameter count prefixLength·heads·headDim + (heads·headDim + 1)·ProjectionHidden + (ProjectionHidden + 1)·layers·2·heads·headDim";
            ok = rules.Count(() => ParameterArithmetic.Prefix(layers, prefixLength, heads, headDim, projectionHidden), formula, out count)
                 && rules.IntProduct("the key/value width", "heads·headDim", heads, headDim, out width)
                 && rules.FitsInArray("KeyValues", "layers·2·prefixLength·heads·headDim", ParameterArithmetic.SaturatingProduct(2, layers, prefixLength, width), out storage)
                 && (projectionHidden == 0
                     || (rules.FitsInArray("PrefixEmbedding", "prefixLength·heads·headDim", ParameterArithmetic.SaturatingProduct(prefixLength, width), out _)
                         && rules.FitsInArray("ProjectionUp", "layers·2·heads·headDim·ProjectionHidden", ParameterArithmetic.SaturatingProduct(2, layers, width, projectionHidden), out _)));
        }

        PrefixTuningInfo? info = ok && declaration is not null
            ? new PrefixTuningInfo(declaration, layers, prefixLength, heads, headDim, projectionHidden, width, storage, count)
            : null;
        return new ParseResult<PrefixTuningInfo>(info, errors.ToEquatableArray());
    }
}
