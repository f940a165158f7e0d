using FineTuneGuard.Losses;

namespace FineTuneGuard.Tests.Training;

/// <summary>Answer-only targets: prompt and padding ignored, the response's EOS kept even when the padding id is the EOS id.</summary>
public class SftBatchTests
{
    private const int Eos = 0;
    private const int Ignore = CrossEntropy.IgnoreIndex;

    [Fact]
    public void PromptAndPaddingAreIgnoredAndEosIsKeptWhenPadEqualsEos()
    {
        var shortExample = SftExample.FromPromptResponse([5, 6, 7], [8, 9, Eos]);
        var longExample = SftExample.FromPromptResponse([5, 6], [10, 11, 12, 13, Eos]);

        SftBatch batch = SftBatch.Collate([shortExample, longExample], LossScope.AnswerOnly, padTokenId: Eos);

        Assert.Equal(2, batch.BatchSize);
        Assert.Equal(7, batch.SequenceLength);
        Assert.Equal(new[] { 5, 6, 7, 8, 9, Eos, Eos, /**/ 5, 6, 10, 11, 12, 13, Eos }, batch.Tokens);
        Assert.Equal(
            new[]
            {
                Ignore, Ignore, 8, 9, Eos, Ignore, Ignore, // prompt → 6, 7 ignored; the EOS at position 5 is a target; padding is not
                Ignore, 10, 11, 12, 13, Eos, Ignore,
            },
            batch.Targets);
        Assert.Equal(new[] { 3, 5 }, batch.TargetCounts);
        Assert.Equal(8, batch.TargetTokenCount);
    }

    [Fact]
    public void ConversationsSuperviseTheAssistantTurnsOnly()
    {
        var conversation = SftExample.FromConversation(
        [
            new ConversationTurn(ChatRole.System, [1, 2]),
            new ConversationTurn(ChatRole.User, [3]),
            new ConversationTurn(ChatRole.Assistant, [4, Eos]),
            new ConversationTurn(ChatRole.User, [5]),
            new ConversationTurn(ChatRole.Assistant, [6, Eos]),
        ]);

        SftBatch batch = SftBatch.Collate([conversation], LossScope.AnswerOnly, padTokenId: Eos);

        Assert.Equal(new[] { 1, 2, 3, 4, Eos, 5, 6, Eos }, batch.Tokens);
        Assert.Equal(new[] { Ignore, Ignore, 4, Eos, Ignore, 6, Eos, Ignore }, batch.Targets);
        Assert.Equal(3, conversation.PromptLength);
        Assert.Equal(4, conversation.ResponseTokenCount);
    }

    [Fact]
    public void FullSequenceIsTheExplicitOptOutAndStillIgnoresPadding()
    {
        var a = SftExample.FromPromptResponse([5, 6], [7, Eos]);
        var b = SftExample.FromPromptResponse([5], [7, 8, 9, Eos]);

        SftBatch batch = SftBatch.Collate([a, b], LossScope.FullSequence, padTokenId: Eos);

        Assert.Equal(new[] { 6, 7, Eos, Ignore, Ignore, /**/ 7, 8, 9, Eos, Ignore }, batch.Targets);
        Assert.Equal(7, batch.TargetTokenCount);
    }

    [Fact]
    public void AnExampleWithNoTargetIsAnErrorNamingIt()
    {
        var fine = SftExample.FromPromptResponse([5, 6], [7, Eos]);
        var promptOnly = SftExample.FromPromptResponse([5, 6, 7], []);
        var noAssistant = SftExample.FromConversation([new ConversationTurn(ChatRole.User, [3, 4])]);

        var error = Assert.Throws<ArgumentException>(() => SftBatch.Collate([fine, promptOnly], LossScope.AnswerOnly));
        Assert.Contains("Example 1 of the batch", error.Message, StringComparison.Ordinal);
        Assert.Contains("no target token", error.Message, StringComparison.Ordinal);

        error = Assert.Throws<ArgumentException>(() => SftBatch.Collate([noAssistant], LossScope.AnswerOnly));
        Assert.Contains("Example 0 of the batch", error.Message, StringComparison.Ordinal);

        // A prompt-only example does have targets under the full-sequence objective.
        Assert.Equal(2, SftBatch.Collate([promptOnly], LossScope.FullSequence).TargetTokenCount);
    }

    [Fact]
    public void TheFirstTokenCannotBeATarget()
    {
        // Nothing precedes position 0, so a response with an empty prompt loses its first token as a target.
        var example = SftExample.FromPromptResponse([], [7, Eos]);
        Assert.Equal(1, SftBatch.CountTargets(example, LossScope.AnswerOnly));
        Assert.Throws<ArgumentException>(() => SftBatch.Collate([SftExample.FromPromptResponse([], [7])]));
    }
}
