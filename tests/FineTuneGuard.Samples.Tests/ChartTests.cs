using FineTuneGuard.Quickstart;

namespace FineTuneGuard.Samples.Tests;

/// <summary>The charts render headless (ScottPlot through SkiaSharp) and are real PNG files.</summary>
public sealed class ChartTests
{
    [Fact]
    public void A_reduced_run_writes_every_chart_as_png()
    {
        string directory = Path.Combine(Path.GetTempPath(), "ftg-quickstart-charts-" + Guid.NewGuid().ToString("N"));
        try
        {
            QuickstartReport report = QuickstartRunner.Run(QuickstartOptions.Smoke with { ChartsDirectory = directory }, TextWriter.Null);
            Assert.Equal(5, report.Charts.Count);
            byte[] signature = [0x89, (byte)'P', (byte)'N', (byte)'G'];
            foreach (string chart in report.Charts)
            {
                byte[] bytes = File.ReadAllBytes(chart);
                Assert.True(bytes.Length > 10_000, $"{chart} is only {bytes.Length} bytes");
                Assert.Equal(signature, bytes[..4]);
            }
        }
        finally
        {
            if (Directory.Exists(directory))
            {
                Directory.Delete(directory, recursive: true);
            }
        }
    }
}
