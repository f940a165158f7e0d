using System;
using System.CommandLine;
using System.Globalization;
using FineTuneGuard.Accounting;
using FineTuneGuard.Internal;
using FineTuneGuard.Optimization;

namespace FineTuneGuard.Cli;

/// <summary>
/// <c>ftg memory</c>: the seeds' memory breakdown (weights, gradients, optimizer states, activations) for full
/// fine-tuning next to LoRA, at a precision and optimizer, with every assumption printed. The arithmetic is the
/// runtime's <see cref="MemoryEstimate"/> (shared with analyzer FTG0104); the counts are <c>ParameterArithmetic</c>.
/// Defaults follow the seeds' slide ("a 2B model on a 24 GB card"): fp16 weights and gradients, AdamW's two states at
/// the same precision, no fp32 master copy, activations 1.5x the weights.
/// </summary>
internal static class MemoryCommand
{
    public static Command Create(CliOutput output)
    {
        var parameters = new Option<string?>("--params") { Description = "Model parameters (2B, 6.74B, 350M, 7e9); or give the architecture options." };
        var layers = new Option<int?>("--layers") { Description = "Decoder layers (with --hidden, --heads, --intermediate, --vocab: the count is computed)." };
        var hidden = new Option<int?>("--hidden") { Description = "Hidden size." };
        var heads = new Option<int?>("--heads") { Description = "Attention heads." };
        var intermediate = new Option<int?>("--intermediate") { Description = "MLP intermediate size." };
        var vocab = new Option<int?>("--vocab") { Description = "Vocabulary size." };
        var kvHeads = new Option<int?>("--kv-heads") { Description = "Key/value heads; default: --heads." };
        var headDim = new Option<int?>("--head-dim") { Description = "Head dimension; default: hidden / heads." };
        var tied = new Option<bool>("--tied") { Description = "Tied embeddings." };
        var attentionBias = new Option<bool>("--attention-bias") { Description = "Biases on q, k, v." };
        var rank = new Option<int?>("--lora-rank") { Description = "LoRA rank for the LoRA column (architecture options needed); default 8." };
        var targets = new Option<string>("--targets") { Description = "LoRA target modules.", DefaultValueFactory = _ => "q_proj,v_proj" };
        var loraParameters = new Option<string?>("--lora-params") { Description = "LoRA trainable parameters, when only --params is known (e.g. 40M)." };
        var precision = new Option<string>("--precision") { Description = "Weight precision: fp32, fp16, bf16, int8, int4 (int8/int4: a quantized base, LoRA only).", DefaultValueFactory = _ => "fp16" };
        var statePrecision = new Option<string?>("--state-precision") { Description = "Optimizer-state precision; default: the compute precision (fp16 for fp16/bf16/int8/int4 weights)." };
        var masterWeights = new Option<bool>("--master-weights") { Description = "Count an fp32 master copy of each trainable weight (mixed-precision training)." };
        var optimizer = new Option<string>("--optimizer") { Description = "adamw, adam, sgd-momentum or sgd.", DefaultValueFactory = _ => "adamw" };
        var activationFactor = new Option<double>("--activation-factor") { Description = "Activations as a multiple of the weight memory (the seeds: ~1.5x).", DefaultValueFactory = _ => MemoryEstimate.DefaultActivationFactor };
        var budget = new Option<double?>("--budget") { Description = "GPU memory in GB (e.g. 24 for an RTX 4090): says whether each setup fits." };

        var command = new Command("memory", "Training memory: weights, gradients, optimizer states and activations, full fine-tuning vs LoRA.")
        {
            parameters, layers, hidden, heads, intermediate, vocab, kvHeads, headDim, tied, attentionBias, rank, targets, loraParameters,
            precision, statePrecision, masterWeights, optimizer, activationFactor, budget,
        };
        command.SetAction(parse =>
        {
            Precision weights = Precision.Parse(parse.GetValue(precision)!, "--precision");
            Precision compute = weights.IsFloat ? weights : new Precision("bf16", MemoryEstimate.Float16);
            string? stateText = parse.GetValue(statePrecision);
            Precision states = stateText is null ? compute : Precision.Parse(stateText, "--state-precision");
            OptimizerKind kind = ParseOptimizer(parse.GetValue(optimizer)!);
            double master = parse.GetValue(masterWeights) ? MemoryEstimate.Float32 : 0;
            double factor = parse.GetValue(activationFactor);
            if (!(factor >= 0) || double.IsInfinity(factor))
            {
                throw new ArgumentException($"--activation-factor must be finite and >= 0; got {factor}.");
            }

            // The model: an explicit count, or the architecture through the shared parameter arithmetic.
            long baseCount;
            long? loraCount = null;
            string loraLabel = "LoRA";
            int? l = parse.GetValue(layers);
            if (l is not null)
            {
                int h = Required(parse.GetValue(hidden), "--hidden");
                int nHeads = Required(parse.GetValue(heads), "--heads");
                int nKv = parse.GetValue(kvHeads) ?? nHeads;
                int hd = parse.GetValue(headDim) ?? (h % nHeads == 0 ? h / nHeads : throw new ArgumentException($"--hidden {h} is not divisible by --heads {nHeads}; give --head-dim."));
                int inter = Required(parse.GetValue(intermediate), "--intermediate");
                int v = Required(parse.GetValue(vocab), "--vocab");
                if (l <= 0 || h <= 0 || nHeads <= 0 || nKv <= 0 || hd <= 0 || inter <= 0 || v <= 0)
                {
                    throw new ArgumentException("Every architecture dimension must be > 0.");
                }

                baseCount = ParameterArithmetic.TransformerTotal(l.Value, h, nHeads, nKv, hd, inter, v, parse.GetValue(tied), parse.GetValue(attentionBias));
                int r = parse.GetValue(rank) ?? 8;
                if (r <= 0)
                {
                    throw new ArgumentException($"--lora-rank must be > 0; got {r}.");
                }

                string[] modules = (parse.GetValue(targets) ?? string.Empty).Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
                loraCount = ParameterArithmetic.TransformerLora(l.Value, h, nHeads, nKv, hd, inter, modules, r);
                loraLabel = $"LoRA r={r} ({string.Join(", ", modules)})";
            }
            else
            {
                string countText = parse.GetValue(parameters) ?? throw new ArgumentException("Give --params (e.g. 2B) or the architecture (--layers, --hidden, --heads, --intermediate, --vocab).");
                baseCount = ParameterCountParser.Parse(countText, "--params");
                if (parse.GetValue(loraParameters) is string loraText)
                {
                    loraCount = ParameterCountParser.Parse(loraText, "--lora-params");
                }
            }

            if (parse.GetValue(rank) is not null && l is null)
            {
                throw new ArgumentException("--lora-rank needs the architecture options; with --params give --lora-params.");
            }

            MemoryEstimate? full = weights.IsFloat
                ? MemoryEstimate.Compute(baseCount, baseCount, weights.Bytes, compute.Bytes, kind, states.Bytes, master, factor)
                : null;
            MemoryEstimate? lora = loraCount is long trainable
                ? MemoryEstimate.Peft(baseCount, trainable, weights.Bytes, kind, compute.Bytes, states.Bytes, master, factor)
                : null;

            var o = output.Out;
            o.WriteLine("assumptions:");
            o.WriteLine($"  model:        {CliOutput.Count(baseCount)} parameters{(l is null ? string.Empty : " (Llama-style decoder)")}");
            if (loraCount is long count)
            {
                o.WriteLine($"  LoRA:         {CliOutput.Count(count)} trainable parameters, base frozen");
            }

            o.WriteLine($"  weights:      {weights}{(weights.IsFloat ? string.Empty : " (quantized base; adapters compute in bf16)")}");
            o.WriteLine($"  gradients:    {compute}, one per trainable parameter");
            o.WriteLine($"  optimizer:    {OptimizerName(kind)}, {States(kind)} state{(States(kind) == 1 ? string.Empty : "s")} per trainable parameter at {states}{(master > 0 ? ", plus an fp32 master copy (4 bytes)" : ", no fp32 master copy")}");
            o.WriteLine($"  activations:  {CliOutput.Number(factor)} x the base weight memory (a rule of thumb: depends on architecture, batch size and sequence length)");
            o.WriteLine();

            var table = new TextTable(["", "full fine-tuning", loraCount is null ? string.Empty : loraLabel], [false, true, true]);
            table.Add("weights", GB(full?.WeightBytes), GB(lora?.WeightBytes));
            table.Add("gradients", GB(full?.GradientBytes), GB(lora?.GradientBytes));
            table.Add("optimizer states", GB(full?.OptimizerBytes), GB(lora?.OptimizerBytes));
            table.Add("activations", GB(full?.ActivationBytes), GB(lora?.ActivationBytes));
            table.Add("total", GB(full?.TotalBytes), GB(lora?.TotalBytes));
            if (parse.GetValue(budget) is double gb)
            {
                table.Add($"fits in {CliOutput.Number(gb)} GB", Fits(full, gb), Fits(lora, gb));
            }

            table.WriteTo(o);
            if (full is null)
            {
                o.WriteLine("full fine-tuning: not applicable to a quantized (int8/int4) base.");
            }

            if (loraCount is null)
            {
                o.WriteLine("LoRA: give the architecture (with --lora-rank and --targets) or --lora-params for the LoRA column.");
            }

            return ExitCodes.Success;
        });
        return command;
    }

    private static string GB(double? bytes)
        => bytes is double b ? (b / 1e9).ToString("F2", CultureInfo.InvariantCulture) + " GB" : string.Empty;

    private static string Fits(MemoryEstimate? estimate, double gb)
        => estimate is MemoryEstimate e ? (e.TotalBytes <= gb * 1e9 ? "yes" : "no") : string.Empty;

    private static int Required(int? value, string option)
        => value ?? throw new ArgumentException($"{option} is required with --layers.");

    private static OptimizerKind ParseOptimizer(string text) => text.Trim().ToLowerInvariant() switch
    {
        "adamw" => OptimizerKind.AdamW,
        "adam" => OptimizerKind.Adam,
        "sgd-momentum" or "momentum" or "sgdmomentum" => OptimizerKind.SgdMomentum,
        "sgd" => OptimizerKind.Sgd,
        _ => throw new ArgumentException($"--optimizer '{text}' is not adamw, adam, sgd-momentum or sgd."),
    };

    private static string OptimizerName(OptimizerKind kind) => kind switch
    {
        OptimizerKind.AdamW => "AdamW",
        OptimizerKind.Adam => "Adam",
        OptimizerKind.SgdMomentum => "SGD with momentum",
        _ => "SGD",
    };

    // The runtime's own count: bytes per parameter with 1-byte states and no master copy is the number of states.
    private static int States(OptimizerKind kind) => (int)MemoryEstimate.OptimizerBytesPerParameter(kind, stateBytes: 1, masterWeightBytes: 0);
}
