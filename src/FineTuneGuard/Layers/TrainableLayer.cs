using System;

namespace FineTuneGuard;

/// <summary>
/// What the generated layer kinds share: a definition fixed at construction (the attribute's arguments through the
/// generated <see cref="CreateDefinition"/>, or one passed at run time) and seeded re-initialisation. The kind-specific
/// base classes — <see cref="LoraLayerBase"/>, <see cref="BottleneckAdapterBase"/>, <see cref="PrefixTuningBase"/>,
/// <see cref="PromptTuningBase"/> — derive from it and hold the storage and entry points.
/// </summary>
/// <typeparam name="TDefinition">The kind's definition record (<see cref="LoraLayerDefinition"/>, ...).</typeparam>
public abstract class TrainableLayer<TDefinition>
    where TDefinition : struct
{
    /// <summary>Fixes the definition: <paramref name="definition"/> when given, else <see cref="CreateDefinition"/>.</summary>
    /// <param name="definition">A run-time definition, or null for the derived class's own.</param>
    private protected TrainableLayer(TDefinition? definition)
    {
        // A virtual call from the constructor, on purpose: the generated override returns compile-time constants and reads
        // no state of the derived class, and it lets constructors the user writes chain to the base implicitly.
#pragma warning disable CA2214 // Do not call overridable methods in constructors
        Definition = definition ?? CreateDefinition();
#pragma warning restore CA2214
    }

    /// <summary>What this layer is: its name in messages and its dimensions, as declared.</summary>
    public TDefinition Definition { get; }

    /// <summary>Re-initialises every parameter (and zeroes every gradient) as PEFT does, from <paramref name="seed"/>.</summary>
    /// <param name="seed">Seed of the initialisation; the same seed gives the same parameters.</param>
    public abstract void ResetParameters(ulong seed);

    /// <summary>
    /// The definition of this layer when none is passed to the constructor. The generated override returns the attribute's
    /// arguments as constants; it is called once, from the constructor, and must not read instance state.
    /// </summary>
    /// <returns>The definition.</returns>
    /// <exception cref="InvalidOperationException">A class that neither overrides this method nor passes a definition to the constructor.</exception>
    protected virtual TDefinition CreateDefinition()
        => throw new InvalidOperationException(
            GetType().Name + " must override CreateDefinition or pass a " + typeof(TDefinition).Name + " to the base constructor (the generator does the former).");
}
