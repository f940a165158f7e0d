using System.IO;
using System.IO.Compression;
using FineTuneGuard.Testing;

namespace FineTuneGuard.PackageTests;

/// <summary>
/// Packs FineTuneGuard once with a unique version, then restores, builds and runs Consumer/ against that .nupkg from
/// a local feed with an isolated package folder, so neither a stale package nor the repository's own build props can
/// leak into what a user would get.
/// </summary>
public sealed class PackedConsumerFixture : IDisposable
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(8);

    public PackedConsumerFixture()
    {
        Root = Path.Combine(Path.GetTempPath(), "ftg-package-test-" + Guid.NewGuid().ToString("N")[..8]);
        string feed = Path.Combine(Root, "feed");
        string packages = Path.Combine(Root, "packages");
        string consumer = Path.Combine(Root, "consumer");
        Version = $"0.1.0-test.{DateTime.UtcNow:yyyyMMddHHmmss}";

        // Pack from a copy of src/ and build/: other test assemblies run at the same time and read (the CommonMistakes
        // build) the repository's own bin/ folders, which an in-place pack would rewrite under them. The copy builds
        // into folders nobody else touches.
        string source = Path.Combine(Root, "source");
        CopySources(Path.Combine(TestReferences.RepositoryRoot, "src"), Path.Combine(source, "src"));
        CopySources(Path.Combine(TestReferences.RepositoryRoot, "build"), Path.Combine(source, "build"));
        Pack = DotNetCli.Run(source, Timeout,
            "pack", Path.Combine("src", "FineTuneGuard", "FineTuneGuard.csproj"), "-c", "Release", "-o", feed, "-p:PackageVersion=" + Version, "-nodeReuse:false");
        PackagePath = Path.Combine(feed, $"FineTuneGuard.{Version}.nupkg");

        DotNetCli.CopyDirectory(Path.Combine(AppContext.BaseDirectory, "Consumer"), consumer);
        File.WriteAllText(Path.Combine(consumer, "NuGet.config"), $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <config><add key="globalPackagesFolder" value="{packages}" /></config>
              <packageSources>
                <add key="local" value="{feed}" />
              </packageSources>
            </configuration>
            """);
        // Empty Directory.Build.props / Directory.Packages.props stop MSBuild from walking up into anything above the temp folder.
        File.WriteAllText(Path.Combine(consumer, "Directory.Build.props"), "<Project />");
        File.WriteAllText(Path.Combine(consumer, "Directory.Packages.props"), "<Project />");

        Build = DotNetCli.Run(consumer, Timeout, "build", "Consumer.csproj", "-c", "Release", "-p:FineTuneGuardVersion=" + Version, "-nodeReuse:false", "-p:UseSharedCompilation=false");
        Run = Build.ExitCode == 0
            ? DotNetCli.Run(consumer, Timeout, "run", "--no-build", "-c", "Release", "--project", "Consumer.csproj", "-p:FineTuneGuardVersion=" + Version)
            : new CliResult(-1, "not run: the build failed");
    }

    public string Root { get; }

    public string Version { get; }

    public string PackagePath { get; }

    public CliResult Pack { get; }

    public CliResult Build { get; }

    public CliResult Run { get; }

    /// <summary>Copies a source tree without any bin/ or obj/ folder (at any depth).</summary>
    private static void CopySources(string from, string to)
    {
        foreach (string file in Directory.EnumerateFiles(from, "*", SearchOption.AllDirectories))
        {
            string relative = Path.GetRelativePath(from, file);
            string[] parts = relative.Split(Path.DirectorySeparatorChar);
            if (parts.Any(part => part is "bin" or "obj"))
            {
                continue;
            }

            string target = Path.Combine(to, relative);
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }
    }

    public string[] PackageEntries()
    {
        using ZipArchive zip = ZipFile.OpenRead(PackagePath);
        return zip.Entries.Select(e => e.FullName).ToArray();
    }

    public string Nuspec()
    {
        using ZipArchive zip = ZipFile.OpenRead(PackagePath);
        using var reader = new StreamReader(zip.Entries.Single(e => e.FullName.EndsWith(".nuspec", StringComparison.Ordinal)).Open());
        return reader.ReadToEnd();
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(Root, recursive: true);
        }
        catch (IOException)
        {
            // A temp folder left behind is harmless.
        }
    }
}
