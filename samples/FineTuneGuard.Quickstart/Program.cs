using FineTuneGuard;

Console.WriteLine("FineTuneGuard quickstart");
Console.WriteLine($"LoRA on a 4096 x 4096 projection, rank {QProj.Rank}: {QProj.TrainableParameterCount:N0} trainable parameters, scaling {QProj.Scaling}");

[LoraLayer(4096, 4096, Rank = 8, Alpha = 16)]
internal partial class QProj
{
}
