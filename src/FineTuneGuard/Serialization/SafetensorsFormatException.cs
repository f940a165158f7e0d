using System;
using System.IO;

namespace FineTuneGuard.Serialization;

/// <summary>
/// A safetensors file, shard index or PEFT adapter that breaks the format. The message names the file and, where one is
/// at fault, the tensor, so that a corrupt checkpoint can be located from the message alone.
/// Derives from <see cref="IOException"/> (<see cref="InvalidDataException"/> is sealed), so code that already
/// handles I/O failures around loading a checkpoint handles this too.
/// </summary>
public sealed class SafetensorsFormatException : IOException
{
    /// <summary>Creates the exception for <paramref name="filePath"/>, optionally naming the offending tensor.</summary>
    public SafetensorsFormatException(string filePath, string? tensorName, string problem, Exception? innerException = null)
        : base(Compose(filePath, tensorName, problem), innerException)
    {
        FilePath = filePath;
        TensorName = tensorName;
        Problem = problem;
    }

    /// <summary>The file that is malformed.</summary>
    public string FilePath { get; }

    /// <summary>The tensor whose entry is malformed, or null when the problem is not tied to one tensor.</summary>
    public string? TensorName { get; }

    /// <summary>What is wrong, without the file and tensor names.</summary>
    public string Problem { get; }

    private static string Compose(string filePath, string? tensorName, string problem)
        => tensorName is null
            ? $"{filePath}: {problem}"
            : $"{filePath}: tensor '{tensorName}': {problem}";
}
