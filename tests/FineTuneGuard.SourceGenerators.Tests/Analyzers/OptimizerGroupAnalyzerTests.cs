using System.Threading.Tasks;
using FineTuneGuard.Optimization;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.Testing;
using Verifier = FineTuneGuard.SourceGenerators.Tests.Analyzers.AnalyzerVerifier<FineTuneGuard.SourceGenerators.Analyzers.OptimizerGroupAnalyzer>;

namespace FineTuneGuard.SourceGenerators.Tests.Analyzers;

/// <summary>FTG0105: adapters and base weights in one optimizer group.</summary>
public class OptimizerGroupAnalyzerTests
{
    private const string Model = """
        using FineTuneGuard; using FineTuneGuard.Optimization; using FineTuneGuard.Kernels; using FineTuneGuard.Losses; using FineTuneGuard.Numerics; using FineTuneGuard.Accounting;
        [LoraLayer(16, 16, Rank = 4)] public partial class QLora { }
        public class Net
        {
            [Trainable, Shape(16, 16)] public float[] Head = new float[256];
            [Trainable] public float[] Norm = new float[16];
            [Frozen, Shape(16, 16)] public float[] Q = new float[256];
            public QLora QProjLora = new QLora();
        }
        """;

    private static DiagnosticResult FTG0105(string message)
        => Verifier.Diagnostic("FTG0105", DiagnosticSeverity.Info).WithLocation(0).WithArguments(message);

    [Fact]
    public Task CollectionInitializerMixingAdapterAndBaseFires()
        => Verifier.Verify(Model + """
            public static class Setup
            {
                public static ParameterGroup Build(Net net)
                    => {|#0:new ParameterGroup("all", 1e-4f) { new Parameter("lora_A", net.QProjLora.A), new Parameter("head", net.Head) }|};
            }
            """,
            FTG0105("ParameterGroup \"all\" trains the adapter parameter QLora.A and the base weight Net.Head with one learning rate; give adapters their own group (usually a 10-100x higher learning rate than base weights)"));

    [Fact]
    public Task AddCallsOnOneLocalGroupFire()
        => Verifier.Verify(Model + """
            public static class Setup
            {
                public static ParameterGroup Build(Net net)
                {
                    var {|#0:group|} = new ParameterGroup("g", 1e-4f);
                    group.Add(new Parameter("norm", net.Norm));
                    group.Add(new Parameter("lora_B", net.QProjLora.B));
                    return group;
                }
            }
            """,
            FTG0105("ParameterGroup 'group' trains the adapter parameter QLora.B and the base weight Net.Norm with one learning rate; give adapters their own group (usually a 10-100x higher learning rate than base weights)"));

    [Fact]
    public Task ParametersHeldInLocalsAreFollowed()
        => Verifier.Verify(Model + """
            public static class Setup
            {
                public static ParameterGroup Build(Net net)
                {
                    var a = new Parameter("lora_A", net.QProjLora.A);
                    var head = new Parameter("head", net.Head, trainable: true);
                    return {|#0:new ParameterGroup("mixed", 2e-5f) { a, head }|};
                }
            }
            """,
            FTG0105("ParameterGroup \"mixed\" trains the adapter parameter QLora.A and the base weight Net.Head with one learning rate; give adapters their own group (usually a 10-100x higher learning rate than base weights)"));

    [Fact]
    public Task SeparateGroupsAreClean()
        => Verifier.Verify(Model + """
            public static class Setup
            {
                public static ParameterGroup[] Build(Net net)
                {
                    var adapters = new ParameterGroup("adapters", 1e-3f) { new Parameter("lora_A", net.QProjLora.A), new Parameter("lora_B", net.QProjLora.B) };
                    var head = new ParameterGroup("head", 1e-5f);
                    head.Add(new Parameter("head", net.Head));
                    return new[] { adapters, head };
                }
            }
            """);

    [Fact]
    public Task AdaptersWithUnclassifiedBuffersAreClean()
        => Verifier.Verify(Model + """
            public static class Setup
            {
                public static ParameterGroup Build(Net net, float[] scratch)
                    => new ParameterGroup("g", 1e-4f) { new Parameter("lora_A", net.QProjLora.A), new Parameter("scratch", scratch), new Parameter("tmp", new float[4]) };
            }
            """);

    [Fact]
    public Task ALocalReassignedBetweenAddsIsNotFollowedAndOneGroupPerLocal()
        => Verifier.Verify(Model + """
            public static class Setup
            {
                public static void Build(Net net)
                {
                    var p = new Parameter("head", net.Head);
                    p = new Parameter("lora_A", net.QProjLora.A);
                    var g1 = new ParameterGroup("g1", 1e-4f);
                    g1.Add(p);
                    g1.Add(new Parameter("lora_B", net.QProjLora.B));
                    var g2 = new ParameterGroup("g2", 1e-5f);
                    g2.Add(new Parameter("norm", net.Norm));
                }
            }
            """);
}
