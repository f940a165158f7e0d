using System.Collections.Generic;
using FineTuneGuard.Internal;
using FineTuneGuard.SourceGenerators.Helpers;
using FineTuneGuard.SourceGenerators.Models;
using Microsoft.CodeAnalysis;

namespace FineTuneGuard.SourceGenerators.Parsing;

/// <summary>Parses and validates <c>[PromptTuning]</c>; shared by the generator and the analyzers.</summary>
internal static class PromptTuningParser
{
    public const string AttributeMetadataName = "FineTuneGuard.PromptTuningAttribute";
    public const string Name = "PromptTuning";

    /// <summary>The runtime class (namespace FineTuneGuard) that the generated class derives from.</summary>
    public const string BaseType = "PromptTuningBase";

    public static ParseResult<PromptTuningInfo> Parse(INamedTypeSymbol type, AttributeData attribute)
    {
        var errors = new List<string>();
        TypeDeclarationInfo? declaration = TypeDeclarationParser.Parse(type, Name, errors, GeneratedMemberNames.PromptTuning, BaseType);
        var rules = new ArgumentRules(new AttributeArguments(attribute), Name, errors);

        bool ok = rules.PositiveConstructorInt(0, "virtualTokens", out int virtualTokens);
        ok &= rules.PositiveConstructorInt(1, "embeddingDim", out int embeddingDim);

        long count = 0;
        if (ok)
        {
            ok = rules.Count(() => ParameterArithmetic.Prompt(virtualTokens, embeddingDim), "the trainable-parameter count virtualTokens·embeddingDim", out count)
                 && rules.FitsInArray("Embeddings", "virtualTokens·embeddingDim", count, out _);
        }

        PromptTuningInfo? info = ok && declaration is not null
            ? new PromptTuningInfo(declaration, virtualTokens, embeddingDim, count)
            : null;
        return new ParseResult<PromptTuningInfo>(info, errors.ToEquatableArray());
    }
}
