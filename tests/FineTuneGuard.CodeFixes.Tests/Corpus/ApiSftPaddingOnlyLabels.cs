// Labels copied from the input ids with only the padding ignored: the prompt is still in the average.
using FineTuneGuard; using FineTuneGuard.Losses;

namespace Corpus.ApiSftPaddingOnlyLabels;

public static class ChatSft
{
    public static float Loss(float[] logits, int[] inputIds, int padTokenId, int vocab)
    {
        int[] labels = (int[])inputIds.Clone();
        for (int i = 0; i < labels.Length; i++)
        {
            if (inputIds[i] == padTokenId)
            {
                labels[i] = CrossEntropy.IgnoreIndex;
            }
        }

        return CrossEntropy.Loss(logits, labels, vocab); // expect: FTG0001
    }
}
