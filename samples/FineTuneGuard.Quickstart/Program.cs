// The README's first command runs this file:
//     dotnet run --project samples/FineTuneGuard.Quickstart -c Release
// Everything happens in QuickstartRunner (reusable by tests with a smaller budget); this only picks the full budget
// and turns a failed checklist into a non-zero exit code, so CI notices.
using FineTuneGuard.Quickstart;

Console.OutputEncoding = System.Text.Encoding.UTF8;
QuickstartReport report = QuickstartRunner.Run(QuickstartOptions.Full, Console.Out);
return report.Checklist.All(item => item.Passed) ? 0 : 1;
