using FineTuneGuard.Quickstart.Evaluation;
using FineTuneGuard.Quickstart.Phases;
using FineTuneGuard.Quickstart.Training;
using ScottPlot;

namespace FineTuneGuard.Quickstart.Charts;

/// <summary>
/// Writes the quickstart's charts as PNG files with ScottPlot (rendered headless through SkiaSharp; no display needed).
/// One chart per question: did training converge (loss curves), how low-rank is the learned update (truncated SVD),
/// and how far does the function move as the update grows (KL vs update strength).
/// </summary>
public static class ChartWriter
{
    private const int Width = 900, Height = 500;

    /// <summary>Writes every chart into <paramref name="directory"/> (created if missing) and returns the file paths.</summary>
    public static IReadOnlyList<string> WriteAll(
        string directory, PhaseCurve pretraining, IReadOnlyList<PhaseCurve> sft, DpoPhase.Result dpo, UpdateAnalysisPhase.Result analysis)
    {
        Directory.CreateDirectory(directory);
        return
        [
            Save(PretrainingLoss(pretraining), directory, "pretraining-loss.png"),
            Save(SftLoss(sft), directory, "sft-loss.png"),
            Save(DpoLoss(dpo), directory, "dpo-loss.png"),
            Save(SvdError(analysis), directory, "svd-relative-error.png"),
            Save(KlVersusStrength(analysis), directory, "kl-vs-update-strength.png"),
        ];
    }

    private static Plot PretrainingLoss(PhaseCurve curve)
    {
        Plot plot = NewPlot("Pre-training the base model", "step", "cross-entropy (nats per character)");
        AddCurve(plot, curve, Colors.C0, smoothing: 25);
        var heldOut = plot.Add.Scatter(curve.Evaluations.Select(e => (double)e.Step).ToArray(), curve.Evaluations.Select(e => (double)e.Loss).ToArray());
        heldOut.Color = Colors.C1;
        heldOut.LineWidth = 2.5f;
        heldOut.MarkerSize = 5;
        heldOut.LegendText = "held-out prose (never trained on)";
        AddHorizontal(plot, Math.Log(Model.ModelDimensions.Vocabulary), "uniform guess, ln 32");
        plot.Axes.SetLimits(0, curve.Losses.Count, 0, Math.Log(Model.ModelDimensions.Vocabulary) * 1.15);
        return plot;
    }

    private static Plot SftLoss(IReadOnlyList<PhaseCurve> curves)
    {
        Plot plot = NewPlot("Supervised fine-tuning, answer-only loss", "step", "masked cross-entropy (nats per answer token)");
        Color[] colors = [Colors.C0, Colors.C1, Colors.C2, Colors.C3];
        for (int i = 0; i < curves.Count; i++)
        {
            AddCurve(plot, curves[i], colors[i % colors.Length], smoothing: 10);
        }

        plot.Axes.SetLimits(0, curves.Max(c => c.Losses.Count), 0, curves.Max(c => c.Losses.Max()) * 1.05);
        return plot;
    }

    private static Plot DpoLoss(DpoPhase.Result dpo)
    {
        Plot plot = NewPlot("DPO: policy vs frozen reference", "step", "DPO loss −log σ(β·h)");
        double[] xs = Enumerable.Range(0, dpo.Losses.Count).Select(i => (double)i).ToArray();
        var line = plot.Add.Scatter(xs, dpo.Losses.Select(l => (double)l).ToArray());
        line.LegendText = "DPO loss";
        line.LineWidth = 2;
        line.MarkerSize = 0;
        AddHorizontal(plot, Math.Log(2), "ln 2 (policy = reference)");
        plot.Axes.SetLimits(0, dpo.Losses.Count - 1, 0, Math.Log(2) * 1.15);
        return plot;
    }

    private static Plot SvdError(UpdateAnalysisPhase.Result analysis)
    {
        Plot plot = NewPlot("Truncated SVD approximation error of the learned update", "rank (log scale)", "relative Frobenius error");
        double[] xs = UpdateAnalysis.Ranks.Select(r => Math.Log2(r)).ToArray();
        Color[] colors = [Colors.C1, Colors.C3, Colors.Gray];
        for (int i = 0; i < analysis.SvdErrors.Count; i++)
        {
            var series = plot.Add.Scatter(xs, analysis.SvdErrors[i].Errors);
            series.LegendText = analysis.SvdErrors[i].Name;
            series.Color = colors[i % colors.Length];
            series.LineWidth = 2;
            series.MarkerSize = 7;
        }

        plot.Axes.Bottom.TickGenerator = new ScottPlot.TickGenerators.NumericManual(
            xs, UpdateAnalysis.Ranks.Select(r => r.ToString(System.Globalization.CultureInfo.InvariantCulture)).ToArray());
        plot.Axes.SetLimits(-0.3, xs[^1] + 0.3, -0.03, 1.05);
        return plot;
    }

    private static Plot KlVersusStrength(UpdateAnalysisPhase.Result analysis)
    {
        Plot plot = NewPlot("Function-space shift grows with update strength", "update strength s", "KL(tuned ‖ base), nats");
        var seed = plot.Add.Scatter(UpdateAnalysis.Strengths, analysis.SeedExampleKl);
        seed.LegendText = "seeds' example: softmax(base + s·direction)";
        seed.Color = Colors.Gray;
        seed.LineWidth = 2;
        seed.MarkerSize = 6;
        var model = plot.Add.Scatter(UpdateAnalysis.Strengths, analysis.ModelKl);
        model.LegendText = "this model: W + s·ΔW (learned LoRA update), held-out prompts";
        model.Color = Colors.C1;
        model.LineWidth = 2;
        model.MarkerSize = 6;
        var tuned = plot.Add.VerticalLine(1.0);
        tuned.LinePattern = LinePattern.Dotted;
        tuned.Color = Colors.Black.WithAlpha(0.6);
        tuned.LegendText = "s = 1: the tuned model (s = 0: the base)";
        plot.Legend.Alignment = Alignment.UpperLeft;
        plot.Axes.SetLimits(0, 3, 0, Math.Max(analysis.ModelKl.Max(), analysis.SeedExampleKl.Max()) * 1.05);
        return plot;
    }

    private static Plot NewPlot(string title, string x, string y)
    {
        var plot = new Plot();
        plot.Font.Set("DejaVu Sans");
        plot.Title(title, size: 18);
        plot.XLabel(x, size: 14);
        plot.YLabel(y, size: 14);
        plot.Legend.FontSize = 12;
        plot.Legend.Alignment = Alignment.UpperRight;
        plot.ShowLegend();
        return plot;
    }

    private static void AddCurve(Plot plot, PhaseCurve curve, Color color, int smoothing)
    {
        double[] xs = Enumerable.Range(0, curve.Losses.Count).Select(i => (double)i).ToArray();
        double[] raw = curve.Losses.Select(l => (double)l).ToArray();
        var noisy = plot.Add.Scatter(xs, raw);
        noisy.Color = color.WithAlpha(0.25);
        noisy.LineWidth = 1;
        noisy.MarkerSize = 0;
        var smooth = plot.Add.Scatter(xs, MovingAverage(raw, smoothing));
        smooth.Color = color;
        smooth.LineWidth = 2.5f;
        smooth.MarkerSize = 0;
        smooth.LegendText = $"{curve.Name} ({smoothing}-step mean)";
    }

    private static void AddHorizontal(Plot plot, double y, string label)
    {
        var line = plot.Add.HorizontalLine(y);
        line.LinePattern = LinePattern.Dashed;
        line.Color = Colors.Black.WithAlpha(0.6);
        line.LegendText = label;
    }

    private static double[] MovingAverage(double[] values, int window)
    {
        var result = new double[values.Length];
        double sum = 0;
        for (int i = 0; i < values.Length; i++)
        {
            sum += values[i];
            if (i >= window)
            {
                sum -= values[i - window];
            }

            result[i] = sum / Math.Min(i + 1, window);
        }

        return result;
    }

    private static string Save(Plot plot, string directory, string file)
    {
        string path = Path.Combine(directory, file);
        plot.SavePng(path, Width, Height);
        return path;
    }
}
