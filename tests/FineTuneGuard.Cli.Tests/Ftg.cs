using System.IO;
using FineTuneGuard.Cli;

namespace FineTuneGuard.Cli.Tests;

/// <summary>The result of one in-process <c>ftg</c> run.</summary>
public sealed record FtgResult(int ExitCode, string Out, string Error)
{
    /// <summary>Standard error's lines (progress and the error).</summary>
    public string[] ErrorLines => Error.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);

    public override string ToString() => $"exit {ExitCode}\n--- stdout\n{Out}\n--- stderr\n{Error}";
}

/// <summary>Runs <c>ftg</c> in-process through its public entry point.</summary>
public static class Ftg
{
    public static FtgResult Run(params string[] args)
    {
        using var stdout = new StringWriter();
        using var stderr = new StringWriter();
        int exit = FtgCommandLine.Run(args, stdout, stderr);
        return new FtgResult(exit, stdout.ToString().Replace("\r\n", "\n", StringComparison.Ordinal), stderr.ToString().Replace("\r\n", "\n", StringComparison.Ordinal));
    }

    /// <summary>Asserts exit code 2 with exactly one error line on stderr that contains every fragment.</summary>
    public static FtgResult AssertBadInput(FtgResult result, params string[] fragments)
    {
        Assert.True(result.ExitCode == ExitCodes.BadInput, result.ToString());
        string[] errors = result.ErrorLines.Where(l => l.Contains("error:", StringComparison.Ordinal)).ToArray();
        Assert.True(errors.Length == 1, result.ToString());
        Assert.Equal(errors[0], result.ErrorLines[^1]);
        foreach (string fragment in fragments)
        {
            Assert.True(errors[0].Contains(fragment, StringComparison.Ordinal), $"'{errors[0]}' lacks '{fragment}'.");
        }

        return result;
    }
}
