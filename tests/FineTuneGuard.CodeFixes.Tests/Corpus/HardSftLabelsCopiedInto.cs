// Hard case: the input ids are copied into a label buffer with CopyTo, and nothing masks the prompt.
using FineTuneGuard; using FineTuneGuard.Losses;

namespace Corpus.HardSftLabelsCopiedInto;

public static class SftStep
{
    public static float Loss(float[] logits, int[] inputIds, int vocab)
    {
        var labels = new int[inputIds.Length];
        inputIds.CopyTo(labels, 0);
        return CrossEntropy.Loss(logits, labels, vocab); // expect: FTG0001
    }
}
