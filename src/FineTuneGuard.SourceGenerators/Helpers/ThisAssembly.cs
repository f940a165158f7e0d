namespace FineTuneGuard.SourceGenerators.Helpers;

internal static class ThisAssembly
{
    /// <summary>Stamped into <c>[GeneratedCode]</c>; kept constant so snapshots do not churn with every build.</summary>
    public const string Version = "0.1.0";
}
