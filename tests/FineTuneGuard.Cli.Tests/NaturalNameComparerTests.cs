namespace FineTuneGuard.Cli.Tests;

public class NaturalNameComparerTests
{
    [Fact]
    public void LayerNumbersSortAsNumbers()
    {
        string[] names = ["model.layers.10.mlp.up_proj.weight", "model.layers.2.mlp.up_proj.weight", "lm_head.weight", "model.layers.1.mlp.up_proj.weight", "model.layers.02.x"];
        Assert.Equal(
            ["lm_head.weight", "model.layers.1.mlp.up_proj.weight", "model.layers.2.mlp.up_proj.weight", "model.layers.02.x", "model.layers.10.mlp.up_proj.weight"],
            names.Order(NaturalNameComparer.Instance));
    }
}
