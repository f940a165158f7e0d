// SimPO and ORPO from FineTuneGuard's runtime: no reference model, by design.
using FineTuneGuard; using FineTuneGuard.Losses;

namespace Corpus.ApiReferenceFreeObjectives;

public static class ReferenceFreeTraining
{
    public static float SimPo(float chosenLogp, int chosenLength, float rejectedLogp, int rejectedLength)
        => ReferenceFree.SimPo(chosenLogp, chosenLength, rejectedLogp, rejectedLength, beta: 2.0f, gamma: 0.5f).Loss;

    public static float Orpo(float chosenAverage, float rejectedAverage)
        => ReferenceFree.Orpo(chosenAverage, rejectedAverage, lambda: 0.1f).Loss;
}
