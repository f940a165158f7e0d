using System.Collections.Immutable;
using System.IO;
using System.Reflection;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Testing;

namespace FineTuneGuard.Testing;

/// <summary>
/// Metadata references for test compilations: the .NET reference pack restored by this project's PackageDownload
/// (never fetched at test time) plus the FineTuneGuard runtime that holds the attributes.
/// </summary>
public static class TestReferences
{
    private static readonly string Directory = Metadata("ReferenceAssembliesDirectory");

    /// <summary>The repository root (the folder that holds FineTuneGuard.sln).</summary>
    public static string RepositoryRoot { get; } = Metadata("RepositoryRoot");

    /// <summary>The framework reference assemblies (net10.0).</summary>
    public static ImmutableArray<MetadataReference> Framework { get; } = LoadFramework();

    /// <summary>The FineTuneGuard runtime assembly (attributes and kernels).</summary>
    public static MetadataReference Runtime { get; } = MetadataReference.CreateFromFile(typeof(LoraLayerAttribute).Assembly.Location);

    /// <summary>Framework + runtime.</summary>
    public static ImmutableArray<MetadataReference> All { get; } = Framework.Add(Runtime);

    /// <summary>
    /// For Microsoft.CodeAnalysis.Testing: a reference set with no NuGet package (so nothing is downloaded) to which the
    /// restored framework assemblies are added through <see cref="All"/> as additional references.
    /// </summary>
    public static ReferenceAssemblies NoPackage { get; } = new("net10.0");

    private static ImmutableArray<MetadataReference> LoadFramework()
    {
        if (!System.IO.Directory.Exists(Directory))
        {
            throw new DirectoryNotFoundException($"Reference assemblies not restored at '{Directory}'. Run 'dotnet restore'.");
        }

        var builder = ImmutableArray.CreateBuilder<MetadataReference>();
        foreach (string dll in System.IO.Directory.EnumerateFiles(Directory, "*.dll"))
        {
            builder.Add(MetadataReference.CreateFromFile(dll));
        }

        return builder.ToImmutable();
    }

    private static string Metadata(string key)
    {
        foreach (var attribute in typeof(TestReferences).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>())
        {
            if (attribute.Key == key && attribute.Value is not null)
            {
                return attribute.Value;
            }
        }

        throw new InvalidOperationException($"Assembly metadata '{key}' missing.");
    }
}
