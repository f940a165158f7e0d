using System.Collections.Immutable;
using System.Reflection;
using FineTuneGuard.SourceGenerators.Generators;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Diagnostics;

namespace FineTuneGuard.FuzzTests;

/// <summary>
/// Every generator and every analyzer of the FineTuneGuard.SourceGenerators assembly, found by reflection so that a
/// rule added later is fuzzed without touching this project.
/// </summary>
internal static class CompilerExtensions
{
    public static Assembly Assembly { get; } = typeof(LayerGenerator).Assembly;

    public static ImmutableArray<Type> AnalyzerTypes { get; } = Assembly.GetTypes()
        .Where(t => !t.IsAbstract && typeof(DiagnosticAnalyzer).IsAssignableFrom(t) && t.GetCustomAttribute<DiagnosticAnalyzerAttribute>() is not null)
        .OrderBy(t => t.FullName, StringComparer.Ordinal)
        .ToImmutableArray();

    public static ImmutableArray<Type> GeneratorTypes { get; } = Assembly.GetTypes()
        .Where(t => !t.IsAbstract && typeof(IIncrementalGenerator).IsAssignableFrom(t) && t.GetCustomAttribute<GeneratorAttribute>() is not null)
        .OrderBy(t => t.FullName, StringComparer.Ordinal)
        .ToImmutableArray();

    /// <summary>Fresh analyzer instances (analyzers must be stateless; the determinism tests share one set between threads).</summary>
    public static ImmutableArray<DiagnosticAnalyzer> CreateAnalyzers()
        => AnalyzerTypes.Select(t => (DiagnosticAnalyzer)Activator.CreateInstance(t)!).ToImmutableArray();

    public static ImmutableArray<ISourceGenerator> CreateGenerators()
        => GeneratorTypes.Select(t => ((IIncrementalGenerator)Activator.CreateInstance(t)!).AsSourceGenerator()).ToImmutableArray();
}
