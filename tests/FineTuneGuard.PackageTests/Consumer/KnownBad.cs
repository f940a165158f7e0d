using FineTuneGuard;

// The package test asserts the diagnostic on the attribute below: file KnownBad.cs, line 5, column 2.

[LoraLayer(0, 16)]
public partial class Broken
{
}
