using System.Collections.Generic;

namespace FineTuneGuard.Serialization;

/// <summary>A tensor to be laid out in a new header: name, dtype and shape; the offsets follow from the order.</summary>
/// <param name="Name">The tensor's name.</param>
/// <param name="DType">The element type it is stored as.</param>
/// <param name="Shape">The dimensions, outermost first.</param>
public readonly record struct SafetensorsTensorDeclaration(string Name, SafetensorsDType DType, IReadOnlyList<long> Shape);
