using System.CommandLine;
using FineTuneGuard.Serialization;

namespace FineTuneGuard.Cli;

/// <summary><c>ftg check</c>: an adapter's config against its tensors (and the base); exit 1 when anything disagrees.</summary>
internal static class CheckCommand
{
    public static Command Create(CliOutput output)
    {
        var adapter = new Argument<string>("adapter") { Description = "The PEFT adapter directory." };
        var basePath = new Option<string?>("--base") { Description = "The base checkpoint, to check the adapted weights' names and shapes and the targeted modules left out." };
        var command = new Command("check", "Check a PEFT LoRA adapter: ranks, shapes, missing or extra targets, alpha/rank scaling.") { adapter, basePath };
        command.SetAction(parse =>
        {
            string? baseArgument = parse.GetValue(basePath);
            using SafetensorsModel? baseModel = baseArgument is null ? null : SafetensorsModel.Open(baseArgument);
            AdapterCheck check = AdapterCheck.Run(parse.GetValue(adapter)!, baseModel);
            foreach (string note in check.Notes)
            {
                output.Out.WriteLine("note: " + note);
            }

            foreach (string finding in check.Findings)
            {
                output.Out.WriteLine("finding: " + finding);
            }

            output.Out.WriteLine(check.Findings.Count == 0
                ? "ok: the config and the tensors agree."
                : $"{check.Findings.Count} finding{(check.Findings.Count == 1 ? string.Empty : "s")}.");
            return check.Findings.Count == 0 ? ExitCodes.Success : ExitCodes.Findings;
        });
        return command;
    }
}
