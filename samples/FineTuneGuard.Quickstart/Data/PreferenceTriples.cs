namespace FineTuneGuard.Quickstart.Data;

/// <summary>One preference example for DPO: for the same prompt, a response people preferred and one they rejected.</summary>
public sealed record PreferenceTriple(string Prompt, string Chosen, string Rejected);

/// <summary>
/// Preference data: the same questions as the SFT set, with the preferred answer phrased politely and the rejected
/// answer terse. DPO should raise the policy's log-probability of the chosen answer relative to the reference model.
/// </summary>
public static class PreferenceTriples
{
    /// <summary>The preference set.</summary>
    public static IReadOnlyList<PreferenceTriple> Train { get; } =
    [
        Pair("what color is the sky", "it is blue", "blue i guess"),
        Pair("what color is the grass", "it is green", "green i guess"),
        Pair("what color is the snow", "it is white", "white i guess"),
        Pair("what color is the apple", "it is red", "red i guess"),
        Pair("what can a bird do", "it can fly", "fly i guess"),
        Pair("what can a fish do", "it can swim", "swim i guess"),
        Pair("what do bees make", "they make honey", "honey i guess"),
        Pair("who makes bread", "the baker does", "the baker i guess"),
    ];

    private static PreferenceTriple Pair(string question, string chosen, string rejected)
        => new($"q: {question}?\na: ", chosen + ".\n", rejected + ".\n");
}
