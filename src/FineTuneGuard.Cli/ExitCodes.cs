namespace FineTuneGuard.Cli;

/// <summary>The process exit codes of <c>ftg</c>, the same for every command so that scripts can branch on them.</summary>
public static class ExitCodes
{
    /// <summary>The command did what was asked (and <c>check</c> found nothing).</summary>
    public const int Success = 0;

    /// <summary><c>check</c> found problems in the adapter.</summary>
    public const int Findings = 1;

    /// <summary>Bad input: a wrong option, a missing or malformed file, a refused merge. Nothing was written.</summary>
    public const int BadInput = 2;
}
