using System.Collections.Generic;
using FineTuneGuard.Internal;
using FineTuneGuard.SourceGenerators.Helpers;
using FineTuneGuard.SourceGenerators.Models;
using Microsoft.CodeAnalysis;

namespace FineTuneGuard.SourceGenerators.Parsing;

/// <summary>Parses and validates <c>[BottleneckAdapter]</c>; shared by the generator and the analyzers.</summary>
internal static class BottleneckAdapterParser
{
    public const string AttributeMetadataName = "FineTuneGuard.BottleneckAdapterAttribute";
    public const string Name = "BottleneckAdapter";

    /// <summary>The runtime class (namespace FineTuneGuard) that the generated class derives from.</summary>
    public const string BaseType = "BottleneckAdapterBase";

    public static ParseResult<BottleneckAdapterInfo> Parse(INamedTypeSymbol type, AttributeData attribute)
    {
        var errors = new List<string>();
        TypeDeclarationInfo? declaration = TypeDeclarationParser.Parse(type, Name, errors, GeneratedMemberNames.BottleneckAdapter, BaseType);
        var rules = new ArgumentRules(new AttributeArguments(attribute), Name, errors);

        bool ok = rules.PositiveConstructorInt(0, "modelDim", out int modelDim);
        ok &= rules.PositiveConstructorInt(1, "bottleneck", out int bottleneck);
        ok &= rules.NamedBool("Bias", true, out bool bias);

        long count = 0;
        if (ok)
        {
            ok = rules.Count(() => ParameterArithmetic.BottleneckAdapter(modelDim, bottleneck, bias), bias ? "the trainable-parameter count 2·modelDim·bottleneck + bottleneck + modelDim" : "the trainable-parameter count 2·modelDim·bottleneck", out count)
                 && rules.FitsInArray("Down", "bottleneck·modelDim", ParameterArithmetic.SaturatingProduct(bottleneck, modelDim), out _);
        }

        BottleneckAdapterInfo? info = ok && declaration is not null
            ? new BottleneckAdapterInfo(declaration, modelDim, bottleneck, bias, count)
            : null;
        return new ParseResult<BottleneckAdapterInfo>(info, errors.ToEquatableArray());
    }
}
