namespace FineTuneGuard.Quickstart.Data;

/// <summary>
/// The "pre-training corpus" of the tiny base model: a few paragraphs of plain prose, embedded so the sample needs no
/// download. It has nothing in the q:/a: format of the fine-tuning data, so how well a tuned model still predicts it
/// is a fair measure of <em>retention</em> (what fine-tuning did not destroy).
/// </summary>
public static class PretrainingText
{
    /// <summary>The text the base model is trained on.</summary>
    public const string Train =
        "the sun rises in the east and sets in the west. the sky is blue in the day and dark at night. " +
        "the moon is bright at night and the stars are small and far away. the sea is wide and the sea is deep. " +
        "the river runs to the sea and the rain falls on the hills. the grass is green and the snow is white. " +
        "a cat likes to sleep in the sun. a dog likes to run in the park. a bird can fly over the trees. " +
        "a fish can swim in the river. the cow eats grass in the field and the hen lays an egg in the barn. " +
        "the farmer works in the field from the morning to the evening. he grows wheat and corn and beans. " +
        "the baker makes bread in the morning. the bread is warm and the smell fills the street. " +
        "the children walk to school in the morning and they read and write and count. " +
        "in the evening they play in the park with the dog and then they walk home for dinner. " +
        "the old man sits by the fire and tells a story about the sea and the ships and the wind. " +
        "the wind is cold in the winter and warm in the summer. the leaves are red and gold in the autumn. " +
        "in the spring the flowers open and the bees fly from flower to flower. the bees make honey. " +
        "the honey is sweet and the lemon is sour. the apple is red and the banana is yellow. " +
        "water is wet and fire is hot and ice is cold. the stone is hard and the pillow is soft. " +
        "the train goes to the city and the city is big and loud. the village is small and quiet. " +
        "at night the village sleeps and the owl watches from the tree. the owl is wise and the fox is quick. " +
        "the fox runs into the forest and the forest is dark and green. the bear sleeps in the winter. " +
        "one and one make two. two and two make four. the week has seven days and the year has twelve months. " +
        "the teacher says that the earth goes around the sun and the moon goes around the earth. " +
        "the children listen and then they draw the sun and the moon and the stars on the wall. ";

    /// <summary>
    /// Held-out prose in the same style, never trained on: the retention score is measured here, so it reflects
    /// the language skill of the model rather than memorised sentences.
    /// </summary>
    public const string HeldOut =
        "the dog sleeps by the fire in the evening. the sky is dark and the moon is bright over the village. " +
        "in the morning the baker makes warm bread and the children walk to the park. the river is cold in the winter. " +
        "the bird sits in the tree and the cat watches the bird. the farmer grows corn in the field by the river. ";
}
