namespace FineTuneGuard.Quickstart.Data;

/// <summary>One supervised fine-tuning example: the prompt the user writes and the response the model should give.</summary>
/// <param name="Prompt">The instruction, in the chat format of this sample (<c>"q: ...?\na: "</c>).</param>
/// <param name="Response">The answer the model should imitate (the only tokens the SFT loss should count).</param>
public sealed record InstructionPair(string Prompt, string Response)
{
    /// <summary>Formats a question in the sample's two-line chat template.</summary>
    public static InstructionPair Ask(string question, string answer) => new($"q: {question}?\na: ", answer + ".\n");
}

/// <summary>
/// The fine-tuning task: short questions about the world of the pre-training text, answered in a few words.
/// The base model has never seen the q:/a: format, so it scores low on the task until it is tuned.
/// </summary>
public static class InstructionPairs
{
    /// <summary>The supervised fine-tuning set.</summary>
    public static IReadOnlyList<InstructionPair> Train { get; } =
    [
        InstructionPair.Ask("what color is the sky", "blue"),
        InstructionPair.Ask("what color is the grass", "green"),
        InstructionPair.Ask("what color is the snow", "white"),
        InstructionPair.Ask("what color is the banana", "yellow"),
        InstructionPair.Ask("what color is the apple", "red"),
        InstructionPair.Ask("where does the sun rise", "in the east"),
        InstructionPair.Ask("where does the sun set", "in the west"),
        InstructionPair.Ask("what does a cat like", "to sleep"),
        InstructionPair.Ask("what does a dog like", "to run"),
        InstructionPair.Ask("what can a bird do", "fly"),
        InstructionPair.Ask("what can a fish do", "swim"),
        InstructionPair.Ask("what do bees make", "honey"),
        InstructionPair.Ask("is the honey sweet", "yes"),
        InstructionPair.Ask("is the lemon sweet", "no"),
        InstructionPair.Ask("is fire hot", "yes"),
        InstructionPair.Ask("is ice hot", "no"),
        InstructionPair.Ask("who makes bread", "the baker"),
        InstructionPair.Ask("who grows corn", "the farmer"),
        InstructionPair.Ask("what is two and two", "four"),
        InstructionPair.Ask("what is one and one", "two"),
        InstructionPair.Ask("how many days in a week", "seven"),
        InstructionPair.Ask("how many months in a year", "twelve"),
        InstructionPair.Ask("when does the bear sleep", "in the winter"),
        InstructionPair.Ask("who is wise", "the owl"),
    ];

    /// <summary>
    /// Prompts that are not in the training set. Only the prompts are used: KL(tuned || base) is measured on the
    /// next-token distributions along them, i.e. how far tuning moved the model where it was not trained.
    /// </summary>
    public static IReadOnlyList<string> HeldOutPrompts { get; } =
    [
        "q: what color is the sea?\na: ",
        "q: where does the river run?\na: ",
        "q: is the stone soft?\na: ",
        "q: what does the hen lay?\na: ",
        "q: who is quick?\na: ",
        "q: is the pillow soft?\na: ",
    ];
}
