namespace FineTuneGuard.Tests.Training;

/// <summary>
/// Toy tasks for a bigram model: after a prompt ending in token x, answer f(x) then EOS. Padding uses the EOS id (0), the
/// case where masking labels by <c>labels == pad</c> would drop the EOS target.
/// </summary>
internal static class SftToyData
{
    public const int Vocab = 16;
    public const int Eos = 0;
    public const int Bos = 1;

    /// <summary>x in 2..7 answered with x + 6, after prompt prefixes of varying length.</summary>
    public static SftDataset Task(string name, int[] prefix, Func<int, int> answer, double weight = 1.0)
        => new(name, Enumerable.Range(2, 6).Select(x => SftExample.FromPromptResponse([.. prefix, x], [answer(x), Eos])), weight);

    public static int Shift(int x) => x + 6;

    public static int Mirror(int x) => 15 - x + 2; // a conflicting answer: 2 → 15, 7 → 10

    /// <summary>Eight examples with token counts 3..10, so that micro-batches of two hold uneven target counts.</summary>
    public static SftExample[] Uneven() =>
    [
        SftExample.FromPromptResponse([Bos, 2], [8, Eos]),
        SftExample.FromPromptResponse([Bos, 14, 15, 3], [9, 4, 10, Eos]),
        SftExample.FromPromptResponse([Bos], [4, Eos]),
        SftExample.FromPromptResponse([Bos, 5, 6, 7, 2], [11, 12, 13, 14, 15, Eos]),
        SftExample.FromPromptResponse([Bos, 3, 4], [10, Eos]),
        SftExample.FromPromptResponse([Bos, 15], [6, 12, 7, Eos]),
        SftExample.FromConversation(
        [
            new ConversationTurn(ChatRole.User, [Bos, 2]),
            new ConversationTurn(ChatRole.Assistant, [8, Eos]),
            new ConversationTurn(ChatRole.User, [3]),
            new ConversationTurn(ChatRole.Assistant, [9, Eos]),
        ]),
        SftExample.FromPromptResponse([Bos, 4, 5, 6, 7, 2, 3, 4], [5, Eos]),
    ];
}
