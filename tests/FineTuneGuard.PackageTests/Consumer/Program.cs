using FineTuneGuard; using FineTuneGuard.Kernels; using FineTuneGuard.Numerics;

// Generated constants are usable in constant expressions: this only compiles if the generator ran.
const long count = QProj.TrainableParameterCount;
Console.WriteLine($"QProj trainable params: {count}");
Console.WriteLine($"QProj scaling: {QProj.Scaling}");

const long adapterLayers = 32 * Adapter.TrainableParameterCount;
Console.WriteLine($"Adapter trainable params per layer: {Adapter.TrainableParameterCount}, 32 layers: {adapterLayers}");
Console.WriteLine($"Prefix trainable params: {Prefix32.TrainableParameterCount}");
Console.WriteLine($"Llama-2-7B base params: {Llama2.BaseParameterCount}");
Console.WriteLine($"Llama-2-7B q_proj: {Llama2.QProjOutFeatures} x {Llama2.QProjInFeatures}");
Console.WriteLine(Llama2.Summary);

// A generated LoRA layer runs against the runtime: forward, then merge, compared with the runtime merge bit for bit.
var lora = new SmallProj(seed: 42);
#pragma warning disable FTG0004 // B is filled on purpose (as after training) so that the merge is not a no-op.
new SeededRandom(7).FillUniform(lora.B, -0.5f, 0.5f);
#pragma warning restore FTG0004
var weight = new float[SmallProj.OutFeatures * SmallProj.InFeatures];
new SeededRandom(8).FillUniform(weight, -1f, 1f);
var x = new float[2 * SmallProj.InFeatures];
new SeededRandom(9).FillUniform(x, -1f, 1f);
var y = new float[2 * SmallProj.OutFeatures];
lora.Forward(2, x, weight, y);
var expected = (float[])weight.Clone();
Lora.MergeInto(lora.Shape, Lora.Scaling(SmallProj.Alpha, SmallProj.Rank), expected, lora.A, lora.B);
lora.MergeInto(weight);
bool same = weight.AsSpan().SequenceEqual(expected);
Console.WriteLine($"SmallProj forward finite: {Array.TrueForAll(y, float.IsFinite)}; merge equals runtime: {same}");

// Every generated LoRA class derives from the runtime's LoraLayerBase: code that handles any adapter takes the base type.
LoraLayerBase[] adapters = { lora, new QProj(seed: 1) };
foreach (LoraLayerBase adapter in adapters)
{
    Console.WriteLine($"LoraLayerBase {adapter.Definition.Name}: r={adapter.Shape.Rank}, trainable {adapter.Definition.TrainableParameterCount}");
}

try
{
    lora.MergeInto(Buffer(100)); // a wrong length the analyzer cannot see: the generated run-time check reports it
}
catch (ArgumentException ex)
{
    Console.WriteLine("Shape check: " + ex.Message);
}

static float[] Buffer(int length) => new float[length];

[LoraLayer(4096, 4096, Rank = 8, Alpha = 16)]
public partial class QProj
{
}

[LoraLayer(10, 12, Rank = 3, Alpha = 7)]
public partial class SmallProj
{
}

[BottleneckAdapter(4096, 64, Bias = false)]
public partial class Adapter
{
}

[PrefixTuning(32, 16, 32, 128)]
public partial class Prefix32
{
}

[TransformerModel(32, 4096, 32, 11008, 32000), LoraTargets("q_proj", "v_proj", Rank = 8, Alpha = 16)]
public partial class Llama2
{
}

