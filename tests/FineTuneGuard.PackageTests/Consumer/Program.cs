using FineTuneGuard;

// Generated constants are usable in constant expressions: this only compiles if the generator ran.
const long count = QProj.TrainableParameterCount;
Console.WriteLine($"QProj trainable params: {count}");
Console.WriteLine($"QProj scaling: {QProj.Scaling}");

[LoraLayer(4096, 4096, Rank = 8, Alpha = 16)]
public partial class QProj
{
}
