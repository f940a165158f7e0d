using System;
using System.Threading.Tasks;

namespace FineTuneGuard.Kernels;

/// <summary>
/// The blocked, packed, multi-threaded GEMM engine behind <see cref="Gemm"/>, Lora and
/// BottleneckAdapter: C (m x n, row stride ldc) = alpha·Σ_t term_t + beta·S, where the terms share m and n and their K
/// ranges are concatenated (term 0 first) into one virtual K that is cut into Kc blocks as a whole — a block may hold
/// the tail of term 0 and the head of term 1 in the same packed panels, so a small second term (the LoRA rank, a bias
/// as a K = 1 column of ones) adds no pass over C. S is C itself or a separate source of the same shape.
/// Threads own disjoint rectangles of whole register tiles of C and never split the reduction, and every element is
/// reduced in the same order whatever rectangle it falls in, so the result does not depend on the thread count.
/// </summary>
internal static unsafe class GemmDriver
{
    // Below this many multiply-adds a second thread costs more than it saves.
    private const long ParallelThreshold = 1L << 22;

    /// <summary>Runs one GEMM of one or two terms.</summary>
    public static void Run(int m, int n, float alpha, float beta, float* c, int ldc, in GemmTerm first, in GemmTerm second, int termCount)
        => Run(m, n, alpha, beta, c, ldc, c, ldc, first, second, termCount);

    /// <summary>Runs C = alpha·(term_0 ⧺ term_1) + beta·S with a separate source S (row stride lds, same shape as C).</summary>
    public static void Run(int m, int n, float alpha, float beta, float* c, int ldc, float* source, int lds, in GemmTerm first, in GemmTerm second, int termCount)
    {
        GemmProblem problem = new(m, n, alpha, beta, c, ldc, source, lds, first, second, termCount, GemmPaths.Select());
        long work = (long)m * n * (first.K + (termCount > 1 ? second.K : 0));
        int threads = Math.Max(1, Math.Min(Gemm.MaxDegreeOfParallelism, Environment.ProcessorCount));
        if (threads == 1 || work < ParallelThreshold)
        {
            problem.RunPart(0, 1);
            return;
        }

        RunParallel(problem, threads);
    }

    // A separate method so that the closure (the only per-call allocation) is created only on the multi-threaded path.
    private static void RunParallel(GemmProblem problem, int threads)
        => Parallel.For(0, threads, new ParallelOptions { MaxDegreeOfParallelism = threads }, part => problem.RunPart(part, threads));

    private readonly struct GemmProblem
    {
        private readonly int _m;
        private readonly int _n;
        private readonly float _alpha;
        private readonly float _beta;
        private readonly float* _c;
        private readonly int _ldc;
        private readonly float* _source;
        private readonly int _lds;
        private readonly GemmTerm _first;
        private readonly GemmTerm _second;
        private readonly int _termCount;
        private readonly GemmPath _path;

        public GemmProblem(int m, int n, float alpha, float beta, float* c, int ldc, float* source, int lds, GemmTerm first, GemmTerm second, int termCount, GemmPath path)
        {
            _source = source;
            _lds = lds;
            _m = m;
            _n = n;
            _alpha = alpha;
            _beta = beta;
            _c = c;
            _ldc = ldc;
            _first = first;
            _second = second;
            _termCount = termCount;
            _path = path;
        }

        // Splits C into `parts` rectangles of whole tiles: along n when there are enough column tiles (each thread then
        // packs only its own share of B, the big operand), otherwise along m.
        public void RunPart(int part, int parts)
        {
            int mr = GemmPaths.Mr(_path);
            int nr = GemmPaths.Nr(_path);
            int tilesM = (_m + mr - 1) / mr;
            int tilesN = (_n + nr - 1) / nr;
            int m0 = 0, m1 = _m, n0 = 0, n1 = _n;
            if (parts > 1)
            {
                if (tilesN >= 4 * parts || tilesN >= tilesM)
                {
                    n0 = Math.Min(_n, (int)((long)tilesN * part / parts) * nr);
                    n1 = Math.Min(_n, (int)((long)tilesN * (part + 1) / parts) * nr);
                }
                else
                {
                    m0 = Math.Min(_m, (int)((long)tilesM * part / parts) * mr);
                    m1 = Math.Min(_m, (int)((long)tilesM * (part + 1) / parts) * mr);
                }
            }

            if (m0 < m1 && n0 < n1)
            {
                RunRectangle(m0, m1, n0, n1, mr, nr);
            }
        }

        private void RunRectangle(int m0, int m1, int n0, int n1, int mr, int nr)
        {
            GemmWorkspace workspace = GemmWorkspace.Current;
            int k1 = _first.K;
            int kTotal = k1 + (_termCount > 1 ? _second.K : 0);
            for (int jc = n0; jc < n1; jc += GemmBlocking.Nc)
            {
                int nc = Math.Min(GemmBlocking.Nc, n1 - jc);
                for (int pc = 0; pc < kTotal; pc += GemmBlocking.Kc)
                {
                    // The block [pc, pc + kc) of the virtual K: `fromFirst` steps of term 0, then the rest from term 1.
                    int kc = Math.Min(GemmBlocking.Kc, kTotal - pc);
                    int fromFirst = Math.Clamp(k1 - pc, 0, kc);
                    if (fromFirst > 0)
                    {
                        GemmPacking.PackB(_first, jc, nc, pc, fromFirst, nr, workspace.PackedB, kc);
                    }

                    if (fromFirst < kc)
                    {
                        GemmPacking.PackB(_second, jc, nc, pc + fromFirst - k1, kc - fromFirst, nr, workspace.PackedB + ((long)fromFirst * nr), kc);
                    }

                    // The first block applies beta·S; later blocks accumulate into C.
                    bool firstBlock = pc == 0;
                    float beta = firstBlock ? _beta : 1f;
                    for (int ic = m0; ic < m1; ic += GemmBlocking.Mc)
                    {
                        int mc = Math.Min(GemmBlocking.Mc, m1 - ic);
                        if (fromFirst > 0)
                        {
                            GemmPacking.PackA(_first, ic, mc, pc, fromFirst, mr, workspace.PackedA, kc);
                        }

                        if (fromFirst < kc)
                        {
                            GemmPacking.PackA(_second, ic, mc, pc + fromFirst - k1, kc - fromFirst, mr, workspace.PackedA + ((long)fromFirst * mr), kc);
                        }

                        float* c = _c + ((long)ic * _ldc) + jc;
                        float* source = firstBlock ? _source + ((long)ic * _lds) + jc : c;
                        MacroKernel(mc, nc, kc, mr, nr, workspace, c, source, firstBlock ? _lds : _ldc, beta);
                    }
                }
            }
        }

        private void MacroKernel(int mc, int nc, int kc, int mr, int nr, GemmWorkspace workspace, float* c, float* source, int lds, float beta)
        {
            for (int jr = 0; jr < nc; jr += nr)
            {
                int cols = Math.Min(nr, nc - jr);
                float* b = workspace.PackedB + ((long)jr * kc);
                for (int ir = 0; ir < mc; ir += mr)
                {
                    int rows = Math.Min(mr, mc - ir);
                    float* a = workspace.PackedA + ((long)ir * kc);
                    float* tile = c + ((long)ir * _ldc) + jr;
                    float* tileSource = source + ((long)ir * lds) + jr;
                    if (rows == mr && cols == nr)
                    {
                        Kernel(kc, a, b, tile, _ldc, tileSource, lds, _alpha, beta);
                        continue;
                    }

                    // Edge tile: full tile into scratch (alpha 1, beta 0 keeps the raw sums), then the scalar epilogue.
                    float* scratch = workspace.Tile;
                    Kernel(kc, a, b, scratch, nr, scratch, nr, 1f, 0f);
                    for (int i = 0; i < rows; i++)
                    {
                        for (int j = 0; j < cols; j++)
                        {
                            tile[((long)i * _ldc) + j] = GemmEpilogue.Value(scratch[(i * nr) + j], _alpha, beta, tileSource[((long)i * lds) + j]);
                        }
                    }
                }
            }
        }

        private void Kernel(int kc, float* a, float* b, float* c, int ldc, float* source, int lds, float alpha, float beta)
        {
            switch (_path)
            {
                case GemmPath.Vector512:
                    GemmMicroKernels.Kernel14x32(kc, a, b, c, ldc, source, lds, alpha, beta);
                    break;
                case GemmPath.Vector256:
                    GemmMicroKernels.Kernel6x16(kc, a, b, c, ldc, source, lds, alpha, beta);
                    break;
                default:
                    GemmMicroKernels.Kernel4x4(kc, a, b, c, ldc, source, lds, alpha, beta);
                    break;
            }
        }
    }
}
