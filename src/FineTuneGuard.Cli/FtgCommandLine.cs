using System;
using System.CommandLine;
using System.IO;

namespace FineTuneGuard.Cli;

/// <summary>
/// The <c>ftg</c> command line: builds the commands, parses, runs, and turns every failure into one line on standard
/// error and exit code 2. Public so that tests call it in-process with their own writers.
/// </summary>
public static class FtgCommandLine
{
    /// <summary>Runs <c>ftg</c> with <paramref name="args"/>, writing results to <paramref name="stdout"/> and
    /// progress and errors to <paramref name="stderr"/>; returns the exit code (see <see cref="ExitCodes"/>).</summary>
    public static int Run(string[] args, TextWriter stdout, TextWriter stderr)
    {
        bool interactive = ReferenceEquals(stderr, Console.Error) && !Console.IsErrorRedirected;
        var output = new CliOutput(stdout, stderr, interactive);
        RootCommand root = CreateRootCommand(output);
        ParseResult parsed = root.Parse(args);
        string command = parsed.CommandResult.Command == root ? "ftg" : "ftg " + parsed.CommandResult.Command.Name;
        if (parsed.Errors.Count > 0)
        {
            stderr.WriteLine($"{command}: error: {CliOutput.OneLine(parsed.Errors[0].Message)} (see '{command} --help')");
            return ExitCodes.BadInput;
        }

        try
        {
            return parsed.Invoke(new InvocationConfiguration { Output = stdout, Error = stderr, EnableDefaultExceptionHandler = false });
        }
        catch (Exception exception) when (exception is not OutOfMemoryException)
        {
            // Every failure is reported the same way: the command, then the message (which names the file and tensor).
            string message = exception is ArgumentException { ParamName: not null } argument
                ? argument.Message.Replace($" (Parameter '{argument.ParamName}')", string.Empty, StringComparison.Ordinal)
                : exception.Message;
            stderr.WriteLine($"{command}: error: {CliOutput.OneLine(message)}");
            return ExitCodes.BadInput;
        }
    }

    /// <summary>The root command with every subcommand.</summary>
    public static RootCommand CreateRootCommand(CliOutput output)
    {
        var root = new RootCommand("ftg: safetensors checkpoints and PEFT LoRA adapters from the command line (FineTuneGuard).")
        {
            InspectCommand.Create(output),
            CountCommand.Create(output),
            MemoryCommand.Create(output),
            MergeCommand.Create(output),
            CheckCommand.Create(output),
        };
        return root;
    }
}
