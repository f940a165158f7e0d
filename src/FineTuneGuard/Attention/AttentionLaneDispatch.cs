using System.Buffers;
using System.Runtime.Intrinsics;

namespace FineTuneGuard.Attention;

/// <summary>A per-item attention kernel written once over the lane width (<see cref="IFloatLanes{TVector}"/>).</summary>
internal unsafe interface ILaneKernel
{
    /// <summary>Computes work item <paramref name="item"/> with <typeparamref name="TLanes"/>-wide arithmetic, using <paramref name="scratch"/>.</summary>
    void Run<TLanes, TVector>(int item, float* scratch)
        where TLanes : struct, IFloatLanes<TVector>
        where TVector : struct;
}

/// <summary>
/// What every streaming attention work item does around its kernel: rent the scratch, pin it, pick the lane width and
/// return the scratch. The kernel is a struct type argument, so each width gets its own specialised code and nothing is
/// boxed or called through an interface at run time.
/// </summary>
internal static unsafe class AttentionLaneDispatch
{
    public static void Run<TKernel>(TKernel kernel, AttentionLanes lanes, int scratchLength, int item)
        where TKernel : struct, ILaneKernel
    {
        float[] rented = ArrayPool<float>.Shared.Rent(scratchLength);
        try
        {
            fixed (float* scratch = rented)
            {
                switch (lanes)
                {
                    case AttentionLanes.Vector512:
                        kernel.Run<Lanes512, Vector512<float>>(item, scratch);
                        break;
                    case AttentionLanes.Vector256:
                        kernel.Run<Lanes256, Vector256<float>>(item, scratch);
                        break;
                    default:
                        kernel.Run<Lanes1, float>(item, scratch);
                        break;
                }
            }
        }
        finally
        {
            ArrayPool<float>.Shared.Return(rented);
        }
    }
}
