using System;

namespace FineTuneGuard.Cli;

/// <summary>The process entry point: everything else lives in <see cref="FtgCommandLine"/> so tests run it in-process.</summary>
internal static class Program
{
    private static int Main(string[] args) => FtgCommandLine.Run(args, Console.Out, Console.Error);
}
