namespace FineTuneGuard.Serialization;

/// <summary>A tensor of a (possibly sharded) checkpoint together with the file that holds it.</summary>
/// <param name="File">The open file (shard) holding the tensor.</param>
/// <param name="Info">The tensor's header entry in that file.</param>
public readonly record struct SafetensorsModelTensor(SafetensorsFile File, SafetensorsTensorInfo Info);
