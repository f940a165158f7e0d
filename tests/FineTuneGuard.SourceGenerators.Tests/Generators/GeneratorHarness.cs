using System.Collections.Immutable;
using FineTuneGuard.SourceGenerators.Generators;
using FineTuneGuard.Testing;
using Microsoft.CodeAnalysis;

namespace FineTuneGuard.SourceGenerators.Tests.Generators;

/// <summary>Runs <see cref="LayerGenerator"/> over source text and reads the generated constants back from the output compilation.</summary>
internal sealed class GeneratorHarness
{
    private GeneratorHarness(GeneratorDriver driver, Compilation output, ImmutableArray<Diagnostic> generatorDiagnostics)
    {
        Driver = driver;
        Output = output;
        GeneratorDiagnostics = generatorDiagnostics;
    }

    public GeneratorDriver Driver { get; }

    public Compilation Output { get; }

    public ImmutableArray<Diagnostic> GeneratorDiagnostics { get; }

    public ImmutableArray<SyntaxTree> GeneratedTrees => Driver.GetRunResult().GeneratedTrees;

    /// <summary>Compiler errors and warnings of the output compilation (user code + generated code).</summary>
    public IEnumerable<Diagnostic> Problems => Output.GetDiagnostics().Where(d => d.Severity >= DiagnosticSeverity.Warning);

    public static GeneratorHarness Run(params string[] sources)
    {
        var (driver, output, diagnostics) = CompilationFactory.RunGenerator(CompilationFactory.Create(sources), new LayerGenerator());
        return new GeneratorHarness(driver, output, diagnostics);
    }

    /// <summary>Asserts that the generator reported nothing and that user + generated code compile cleanly.</summary>
    public GeneratorHarness AssertClean()
    {
        Assert.Empty(GeneratorDiagnostics);
        Assert.True(!Problems.Any(), string.Join("\n", Problems) + "\n" + string.Join("\n----\n", GeneratedTrees.Select(t => t.ToString())));
        return this;
    }

    /// <summary>The value of a generated constant, e.g. <c>Constant("Demo.QProj", "TrainableParameterCount")</c>.</summary>
    public object? Constant(string typeMetadataName, string member)
    {
        INamedTypeSymbol type = Output.GetTypeByMetadataName(typeMetadataName) ?? throw new InvalidOperationException($"type {typeMetadataName} not found");
        IFieldSymbol field = type.GetMembers(member).OfType<IFieldSymbol>().SingleOrDefault()
            ?? throw new InvalidOperationException($"{typeMetadataName}.{member} not generated");
        Assert.True(field.IsConst, $"{member} is not a constant");
        return field.ConstantValue;
    }

    /// <summary>The names of the public members of a type: generated ones and those inherited from its runtime base class.</summary>
    public IReadOnlyCollection<string> PublicMembers(string typeMetadataName)
    {
        var names = new HashSet<string>();
        for (ITypeSymbol? type = Output.GetTypeByMetadataName(typeMetadataName); type is not null && type.SpecialType != SpecialType.System_Object; type = type.BaseType)
        {
            names.UnionWith(type.GetMembers()
                .Where(m => m.DeclaredAccessibility == Accessibility.Public && !m.IsImplicitlyDeclared && m is not IMethodSymbol { MethodKind: MethodKind.Constructor })
                .Select(m => m.Name));
        }

        return names;
    }
}
