using System.IO;
using System.Reflection;
using System.Runtime.Loader;
using Microsoft.CodeAnalysis;

namespace FineTuneGuard.SourceGenerators.Tests.Generators;

/// <summary>
/// Compiles user code + generated code and loads the result in-memory (a collectible load context that resolves
/// FineTuneGuard to the runtime this test process already runs), so generated members can be executed.
/// </summary>
internal static class GeneratedAssembly
{
    public static Assembly Load(params string[] sources)
    {
        GeneratorHarness harness = GeneratorHarness.Run(sources).AssertClean();
        using var stream = new MemoryStream();
        var result = harness.Output.Emit(stream);
        Assert.True(result.Success, string.Join("\n", result.Diagnostics));
        stream.Position = 0;
        var context = new AssemblyLoadContext("generated-" + Guid.NewGuid().ToString("N"), isCollectible: true);
        context.Resolving += (_, name) => name.Name == typeof(LoraLayerAttribute).Assembly.GetName().Name ? typeof(LoraLayerAttribute).Assembly : null;
        return context.LoadFromStream(stream);
    }

    /// <summary>Calls a public static method of a type in the loaded assembly.</summary>
    public static T Call<T>(this Assembly assembly, string type, string method, params object[] args)
    {
        MethodInfo info = assembly.GetType(type, throwOnError: true)!.GetMethod(method, BindingFlags.Public | BindingFlags.Static)
            ?? throw new MissingMethodException(type, method);
        try
        {
            return (T)info.Invoke(null, args)!;
        }
        catch (TargetInvocationException ex) when (ex.InnerException is not null)
        {
            System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(ex.InnerException).Throw();
            throw;
        }
    }
}
