using System;
using FineTuneGuard.Validation;

namespace FineTuneGuard.Linalg;

/// <summary>
/// Singular values and best low-rank approximations for rank analysis of weight updates (how much of ΔW a rank-r LoRA
/// can capture). One-sided Jacobi (Hestenes) in double: columns are rotated pairwise until mutually orthogonal; their
/// norms are then the singular values, accurate to a few ulps of σ_max even for rank-deficient matrices, so that the
/// exactly-rank-2 <c>arange(25).reshape(5, 5)</c> of the exercises gives a rank-2 error of ~1e-16, not 1e-8.
/// Eckart–Young: the best rank-r approximation in Frobenius norm keeps the r largest singular triplets, and its relative
/// error is √(Σ_{i&gt;r} σ_i²) / √(Σ_i σ_i²). Meant for analysis, not hot paths: allocates O(rows·cols + cols²) doubles.
/// </summary>
public static class TruncatedSvd
{
    private const int MaxSweeps = 60;

    /// <summary>The min(rows, cols) singular values of a row-major matrix, in descending order.</summary>
    /// <param name="matrix">rows x cols, row-major.</param>
    /// <param name="rows">Rows, &gt; 0.</param>
    /// <param name="cols">Columns, &gt; 0.</param>
    /// <param name="values">min(rows, cols): overwritten.</param>
    public static void SingularValues(ReadOnlySpan<float> matrix, int rows, int cols, Span<double> values)
    {
        CheckShape(matrix.Length, rows, cols);
        Guard.Length(values.Length, Math.Min(rows, cols));
        Decomposition d = Decompose(matrix, rows, cols, withVectors: false);
        d.Sigma.CopyTo(values);
    }

    /// <summary>The singular values, in descending order, as a new array.</summary>
    public static double[] SingularValues(ReadOnlySpan<float> matrix, int rows, int cols)
    {
        CheckShape(matrix.Length, rows, cols);
        return Decompose(matrix, rows, cols, withVectors: false).Sigma;
    }

    /// <summary>
    /// ‖M − M_r‖_F / ‖M‖_F for the best rank-<paramref name="rank"/> approximation M_r: 1 at rank 0, 0 at full rank,
    /// non-increasing in between (0 for a zero matrix).
    /// </summary>
    /// <param name="matrix">rows x cols, row-major.</param>
    /// <param name="rows">Rows, &gt; 0.</param>
    /// <param name="cols">Columns, &gt; 0.</param>
    /// <param name="rank">0 &lt;= rank &lt;= min(rows, cols).</param>
    public static double RelativeError(ReadOnlySpan<float> matrix, int rows, int cols, int rank)
    {
        CheckShape(matrix.Length, rows, cols);
        CheckRank(rank, rows, cols);
        double[] sigma = Decompose(matrix, rows, cols, withVectors: false).Sigma;
        double tail = 0, total = 0;
        for (int i = sigma.Length - 1; i >= 0; i--)
        {
            double square = sigma[i] * sigma[i];
            total += square;
            if (i >= rank)
            {
                tail += square;
            }
        }

        return total == 0 ? 0 : Math.Sqrt(tail / total);
    }

    /// <summary>Writes the best rank-<paramref name="rank"/> approximation Σ_{k&lt;r} σ_k·u_k·v_kᵀ (row-major).</summary>
    /// <param name="matrix">rows x cols, row-major.</param>
    /// <param name="rows">Rows, &gt; 0.</param>
    /// <param name="cols">Columns, &gt; 0.</param>
    /// <param name="rank">0 &lt;= rank &lt;= min(rows, cols).</param>
    /// <param name="approximation">rows x cols: overwritten.</param>
    public static void Approximate(ReadOnlySpan<float> matrix, int rows, int cols, int rank, Span<float> approximation)
    {
        CheckShape(matrix.Length, rows, cols);
        CheckRank(rank, rows, cols);
        Guard.Shape(approximation.Length, rows, cols);
        Decomposition d = Decompose(matrix, rows, cols, withVectors: true);

        // d describes A (m x n, m >= n) = W·Vᵀ with W's columns = σ_k·u_k; when the input was transposed, M = Aᵀ.
        for (int i = 0; i < rows; i++)
        {
            for (int j = 0; j < cols; j++)
            {
                double sum = 0;
                for (int k = 0; k < rank; k++)
                {
                    int c = d.Order[k];
                    sum += d.Transposed
                        ? d.W[(c * d.M) + j] * d.V[(i * d.N) + c]
                        : d.W[(c * d.M) + i] * d.V[(j * d.N) + c];
                }

                approximation[(i * cols) + j] = (float)sum;
            }
        }
    }

    private static void CheckShape(int length, int rows, int cols)
    {
        Guard.Positive(rows);
        Guard.Positive(cols);
        Guard.Shape(length, rows, cols, "matrix");
    }

    private static void CheckRank(int rank, int rows, int cols)
    {
        int max = Math.Min(rows, cols);
        if (rank < 0 || rank > max)
        {
            throw new ArgumentOutOfRangeException(nameof(rank), rank, $"'{nameof(rank)}' must be in [0, min(rows, cols)] = [0, {max}]; got {rank}.");
        }
    }

    private static Decomposition Decompose(ReadOnlySpan<float> matrix, int rows, int cols, bool withVectors)
    {
        // Work on A with m >= n (the transpose when the matrix is wide): n columns of length m, stored column by column.
        bool transposed = cols > rows;
        int m = transposed ? cols : rows;
        int n = transposed ? rows : cols;
        var w = new double[m * n];
        for (int i = 0; i < rows; i++)
        {
            for (int j = 0; j < cols; j++)
            {
                double x = matrix[(i * cols) + j];
                if (transposed)
                {
                    w[(i * m) + j] = x; // column i of A = row i of M
                }
                else
                {
                    w[(j * m) + i] = x;
                }
            }
        }

        double[] v = withVectors ? new double[n * n] : Array.Empty<double>();
        for (int k = 0; k < n && withVectors; k++)
        {
            v[(k * n) + k] = 1;
        }

        for (int sweep = 0; sweep < MaxSweeps; sweep++)
        {
            bool rotated = false;
            for (int p = 0; p < n - 1; p++)
            {
                for (int q = p + 1; q < n; q++)
                {
                    Span<double> up = w.AsSpan(p * m, m);
                    Span<double> uq = w.AsSpan(q * m, m);
                    double alpha = 0, beta = 0, gamma = 0;
                    for (int i = 0; i < m; i++)
                    {
                        alpha += up[i] * up[i];
                        beta += uq[i] * uq[i];
                        gamma += up[i] * uq[i];
                    }

                    if (gamma == 0 || Math.Abs(gamma) <= 1e-15 * Math.Sqrt(alpha * beta))
                    {
                        continue;
                    }

                    // The Jacobi rotation that zeroes the (p, q) entry of AᵀA, with |t| <= 1 for stability.
                    rotated = true;
                    double zeta = (beta - alpha) / (2 * gamma);
                    double t = Math.Sign(zeta == 0 ? 1 : zeta) / (Math.Abs(zeta) + Math.Sqrt(1 + (zeta * zeta)));
                    double c = 1 / Math.Sqrt(1 + (t * t));
                    double s = c * t;
                    Rotate(up, uq, c, s);
                    if (withVectors)
                    {
                        Rotate(v, p, q, n, c, s);
                    }
                }
            }

            if (!rotated)
            {
                break;
            }
        }

        var norms = new double[n];
        var order = new int[n];
        for (int k = 0; k < n; k++)
        {
            double sum = 0;
            for (int i = 0; i < m; i++)
            {
                sum += w[(k * m) + i] * w[(k * m) + i];
            }

            norms[k] = Math.Sqrt(sum);
            order[k] = k;
        }

        Array.Sort(order, (a, b) => norms[b].CompareTo(norms[a]));
        var sigma = new double[n];
        for (int k = 0; k < n; k++)
        {
            sigma[k] = norms[order[k]];
        }

        return new Decomposition(sigma, order, w, v, m, n, transposed);
    }

    private static void Rotate(Span<double> up, Span<double> uq, double c, double s)
    {
        for (int i = 0; i < up.Length; i++)
        {
            double a = up[i], b = uq[i];
            up[i] = (c * a) - (s * b);
            uq[i] = (s * a) + (c * b);
        }
    }

    // V is n x n row-major; the rotation acts on its columns p and q.
    private static void Rotate(double[] v, int p, int q, int n, double c, double s)
    {
        for (int i = 0; i < n; i++)
        {
            double a = v[(i * n) + p], b = v[(i * n) + q];
            v[(i * n) + p] = (c * a) - (s * b);
            v[(i * n) + q] = (s * a) + (c * b);
        }
    }

    private sealed record Decomposition(double[] Sigma, int[] Order, double[] W, double[] V, int M, int N, bool Transposed);
}
