using System;
using System.IO;

namespace FineTuneGuard;

/// <summary>
/// A Hugging Face checkpoint (its <c>config.json</c> or its tensor set) that this runtime refuses: a field it cannot
/// compute faithfully (an unimplemented <c>rope_scaling</c> type, a sliding window, an activation other than SiLU), a
/// missing or invalid field, or tensors that are missing, extra or mis-shaped. The message names the file and every
/// offending field or tensor with its value, so the problem can be found from the message alone.
/// Derives from <see cref="IOException"/> like <see cref="Serialization.SafetensorsFormatException"/>
/// (<see cref="InvalidDataException"/> is sealed), so code that handles I/O failures around loading handles this too.
/// </summary>
public sealed class CheckpointException : IOException
{
    /// <summary>Creates the exception for <paramref name="path"/>; <paramref name="field"/> is the JSON field at fault, if one is.</summary>
    public CheckpointException(string path, string? field, string problem, Exception? innerException = null)
        : base(field is null ? $"{path}: {problem}" : $"{path}: '{field}': {problem}", innerException)
    {
        FilePath = path;
        Field = field;
        Problem = problem;
    }

    /// <summary>The file or directory that is refused.</summary>
    public string FilePath { get; }

    /// <summary>The <c>config.json</c> field at fault, or null when the problem is not one field (e.g. the tensor set).</summary>
    public string? Field { get; }

    /// <summary>What is wrong, without the path and field.</summary>
    public string Problem { get; }
}
