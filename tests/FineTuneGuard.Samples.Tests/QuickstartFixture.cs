using FineTuneGuard.Quickstart;

namespace FineTuneGuard.Samples.Tests;

/// <summary>One reduced-budget quickstart run shared by the invariant tests (every phase runs, no charts).</summary>
public sealed class QuickstartFixture
{
    public QuickstartFixture()
    {
        var output = new StringWriter();
        Report = QuickstartRunner.Run(QuickstartOptions.Smoke, output);
        Output = output.ToString();
    }

    public QuickstartReport Report { get; }

    public string Output { get; }
}
