namespace FineTuneGuard;

/// <summary>The speaker of a <see cref="ConversationTurn"/>; only <see cref="Assistant"/> turns are targets under <see cref="LossScope.AnswerOnly"/>.</summary>
public enum ChatRole
{
    /// <summary>Instructions set before the conversation (context, never a target under answer-only training).</summary>
    System,

    /// <summary>The user's message (context, never a target under answer-only training).</summary>
    User,

    /// <summary>The model's reply: the tokens supervised fine-tuning imitates.</summary>
    Assistant,
}
