using System;

namespace FineTuneGuard;

/// <summary>The compile-time shape (rows x cols, row-major) of a weight member, checked against the layers that adapt it.</summary>
[AttributeUsage(AttributeTargets.Field | AttributeTargets.Property, AllowMultiple = false, Inherited = true)]
public sealed class ShapeAttribute(int rows, int cols) : Attribute
{
    /// <summary>Rows (output features of a linear layer).</summary>
    public int Rows { get; } = rows;

    /// <summary>Columns (input features of a linear layer).</summary>
    public int Cols { get; } = cols;
}
