using System;
using System.CommandLine;
using FineTuneGuard.Accounting;
using FineTuneGuard.Internal;

namespace FineTuneGuard.Cli;

/// <summary>
/// <c>ftg count</c>: the parameters of a Llama-style decoder and of LoRA on its modules, printed as PEFT's
/// <c>print_trainable_parameters()</c> prints them. The arithmetic is <c>ParameterArithmetic</c>, the same file the
/// source generator and the runtime compile, so this line and the generated constants cannot disagree.
/// </summary>
internal static class CountCommand
{
    public static Command Create(CliOutput output)
    {
        var layers = new Option<int>("--layers") { Description = "Decoder layers.", Required = true };
        var hidden = new Option<int>("--hidden") { Description = "Hidden size.", Required = true };
        var heads = new Option<int>("--heads") { Description = "Attention heads.", Required = true };
        var intermediate = new Option<int>("--intermediate") { Description = "MLP intermediate size.", Required = true };
        var vocab = new Option<int>("--vocab") { Description = "Vocabulary size.", Required = true };
        var kvHeads = new Option<int?>("--kv-heads") { Description = "Key/value heads (grouped-query attention); default: --heads." };
        var headDim = new Option<int?>("--head-dim") { Description = "Head dimension; default: hidden / heads." };
        var tied = new Option<bool>("--tied") { Description = "Tied input and output embeddings (no separate lm_head)." };
        var attentionBias = new Option<bool>("--attention-bias") { Description = "Biases on q_proj, k_proj and v_proj." };
        var rank = new Option<int?>("--lora-rank") { Description = "LoRA rank r; without it, full fine-tuning (everything trainable)." };
        var targets = new Option<string>("--targets")
        {
            Description = "Comma-separated LoRA target modules (" + string.Join(", ", ParameterArithmetic.LinearModules) + ").",
            DefaultValueFactory = _ => "q_proj,v_proj",
        };

        var command = new Command("count", "Parameter counts as PEFT prints them: trainable params || all params || trainable%.")
        {
            layers, hidden, heads, intermediate, vocab, kvHeads, headDim, tied, attentionBias, rank, targets,
        };
        command.SetAction(parse =>
        {
            int h = Positive(parse.GetValue(hidden), "--hidden");
            int nHeads = Positive(parse.GetValue(heads), "--heads");
            int nKv = Positive(parse.GetValue(kvHeads) ?? nHeads, "--kv-heads");
            int? explicitHeadDim = parse.GetValue(headDim);
            if (explicitHeadDim is null && h % nHeads != 0)
            {
                throw new ArgumentException($"--hidden {h} is not divisible by --heads {nHeads}; give --head-dim.");
            }

            int hd = Positive(explicitHeadDim ?? (h / nHeads), "--head-dim");
            int l = Positive(parse.GetValue(layers), "--layers");
            int inter = Positive(parse.GetValue(intermediate), "--intermediate");
            int v = Positive(parse.GetValue(vocab), "--vocab");
            long baseCount = ParameterArithmetic.TransformerTotal(l, h, nHeads, nKv, hd, inter, v, parse.GetValue(tied), parse.GetValue(attentionBias));

            long trainable;
            long all;
            if (parse.GetValue(rank) is int r)
            {
                Positive(r, "--lora-rank");
                string[] modules = (parse.GetValue(targets) ?? string.Empty).Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
                if (modules.Length == 0)
                {
                    throw new ArgumentException("--targets names no module.");
                }

                trainable = ParameterArithmetic.TransformerLora(l, h, nHeads, nKv, hd, inter, modules, r);
                all = checked(baseCount + trainable);
            }
            else
            {
                trainable = baseCount;
                all = baseCount;
            }

            output.Out.WriteLine(PeftLine(trainable, all));
            return ExitCodes.Success;
        });
        return command;
    }

    /// <summary>PEFT's line: <c>trainable params: 4,194,304 || all params: 6,742,609,920 || trainable%: 0.0622</c>
    /// (the runtime's formatting, so the library and the tool print the same line).</summary>
    public static string PeftLine(long trainable, long all) => ParameterCount.PeftSummary(trainable, all);

    private static int Positive(int value, string option)
        => value > 0 ? value : throw new ArgumentException($"{option} must be > 0; got {value}.");
}
