using System;
using System.Collections.Generic;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using FineTuneGuard.Numerics;
using FineTuneGuard.Validation;

namespace FineTuneGuard.Optimization;

/// <summary>
/// AdamW (Loshchilov and Hutter 2019) exactly as PyTorch's <c>torch.optim.AdamW</c> (amsgrad off): at step t, for each
/// parameter θ with gradient g in a group with learning rate η (times <see cref="LearningRateScale"/>) and weight
/// decay λ:
/// θ ← θ·(1 − η·λ) (decoupled decay, not added to g); m ← β1·m + (1 − β1)·g; v ← β2·v + (1 − β2)·g²;
/// θ ← θ − (η / (1 − β1^t))·m / (√v / √(1 − β2^t) + ε).
/// Groups carry their own η and λ (λ = 0 excludes biases and norms from decay). The moment buffers are allocated once
/// in the constructor; <see cref="Step"/> allocates nothing.
/// </summary>
public sealed class AdamW
{
    private readonly ParameterGroup[] _groups;
    private readonly Parameter[][] _parameters;
    private readonly float[][][] _firstMoments;
    private readonly float[][][] _secondMoments;
    private readonly float _beta1, _beta2, _epsilon;

    /// <summary>Creates the optimizer and its zeroed moment buffers (2 floats per trainable element).</summary>
    /// <param name="groups">Parameter groups; a parameter may appear in only one group.</param>
    /// <param name="beta1">β1 in [0, 1).</param>
    /// <param name="beta2">β2 in [0, 1).</param>
    /// <param name="epsilon">ε &gt; 0.</param>
    public AdamW(IEnumerable<ParameterGroup> groups, float beta1 = 0.9f, float beta2 = 0.999f, float epsilon = 1e-8f)
    {
        ArgumentNullException.ThrowIfNull(groups);
        CheckBeta(beta1, nameof(beta1));
        CheckBeta(beta2, nameof(beta2));
        Guard.PositiveFinite(epsilon);
        _groups = [.. groups];
        if (_groups.Length == 0)
        {
            throw new ArgumentException("AdamW needs at least one parameter group.", nameof(groups));
        }

        var seen = new HashSet<Parameter>(ReferenceEqualityComparer.Instance);
        _parameters = new Parameter[_groups.Length][];
        _firstMoments = new float[_groups.Length][][];
        _secondMoments = new float[_groups.Length][][];
        for (int g = 0; g < _groups.Length; g++)
        {
            ParameterGroup group = _groups[g] ?? throw new ArgumentException($"Group {g} is null.", nameof(groups));
            _parameters[g] = [.. group.Parameters];
            _firstMoments[g] = new float[_parameters[g].Length][];
            _secondMoments[g] = new float[_parameters[g].Length][];
            for (int p = 0; p < _parameters[g].Length; p++)
            {
                Parameter parameter = _parameters[g][p];
                if (!seen.Add(parameter))
                {
                    throw new ArgumentException($"'{parameter.Name}' appears in more than one parameter group (second time in '{group.Name}').", nameof(groups));
                }

                _firstMoments[g][p] = new float[parameter.Length];
                _secondMoments[g][p] = new float[parameter.Length];
            }
        }

        _beta1 = beta1;
        _beta2 = beta2;
        _epsilon = epsilon;
    }

    /// <summary>The groups, in the order given.</summary>
    public IReadOnlyList<ParameterGroup> Groups => _groups;

    /// <summary>Steps taken so far (t of the bias correction after the next step is StepCount + 1).</summary>
    public long StepCount { get; private set; }

    /// <summary>
    /// Multiplies every group's learning rate (a schedule's factor, e.g. <see cref="LearningRateSchedule.Factor"/>);
    /// default 1. Must be finite and &gt;= 0.
    /// </summary>
    public float LearningRateScale
    {
        get;
        set
        {
            if (!(value >= 0) || float.IsInfinity(value))
            {
                throw new ArgumentOutOfRangeException(nameof(value), value, $"'{nameof(LearningRateScale)}' must be finite and >= 0; got {value}.");
            }

            field = value;
        }
    } = 1f;

    /// <summary>
    /// Opt-in: before updating anything, scan every gradient and throw <see cref="NonFiniteValueException"/> naming the
    /// parameter at the first NaN or infinity; no parameter or moment is changed then. Costs one read of the gradients.
    /// </summary>
    public bool CheckFinite { get; set; }

    /// <summary>Applies one AdamW update to every parameter of every group.</summary>
    public void Step()
    {
        if (CheckFinite)
        {
            ThrowOnNonFiniteGradient();
        }

        long t = StepCount + 1;
        double biasCorrection1 = 1 - Math.Pow(_beta1, t);
        double biasCorrection2 = 1 - Math.Pow(_beta2, t);
        for (int g = 0; g < _groups.Length; g++)
        {
            double learningRate = (double)_groups[g].LearningRate * LearningRateScale;
            var coefficients = new Coefficients(
                decay: (float)(1 - (learningRate * _groups[g].WeightDecay)),
                beta1: _beta1,
                beta2: _beta2,
                stepSize: (float)(learningRate / biasCorrection1),
                sqrtBiasCorrection2: (float)Math.Sqrt(biasCorrection2),
                epsilon: _epsilon);
            Parameter[] parameters = _parameters[g];
            for (int p = 0; p < parameters.Length; p++)
            {
                Update(parameters[p].Value, parameters[p].Gradient, _firstMoments[g][p], _secondMoments[g][p], coefficients);
            }
        }

        StepCount = t;
    }

    /// <summary>Sets every gradient of every group to zero.</summary>
    public void ZeroGradients()
    {
        foreach (Parameter[] parameters in _parameters)
        {
            foreach (Parameter parameter in parameters)
            {
                Array.Clear(parameter.Gradient);
            }
        }
    }

    /// <summary>The first-moment buffer m of a parameter (read-only view, for checkpoints and tests).</summary>
    public ReadOnlySpan<float> FirstMoment(Parameter parameter) => Find(parameter, _firstMoments);

    /// <summary>The second-moment buffer v of a parameter.</summary>
    public ReadOnlySpan<float> SecondMoment(Parameter parameter) => Find(parameter, _secondMoments);

    private float[] Find(Parameter parameter, float[][][] moments)
    {
        for (int g = 0; g < _parameters.Length; g++)
        {
            int index = Array.IndexOf(_parameters[g], parameter);
            if (index >= 0)
            {
                return moments[g][index];
            }
        }

        throw new ArgumentException($"'{parameter?.Name}' is not optimized by this AdamW.", nameof(parameter));
    }

    private void ThrowOnNonFiniteGradient()
    {
        foreach (Parameter[] parameters in _parameters)
        {
            foreach (Parameter parameter in parameters)
            {
                int index = NonFinite.IndexOf(parameter.Gradient);
                if (index >= 0)
                {
                    throw new NonFiniteValueException(parameter.Name + ".Gradient", index, parameter.Gradient[index]);
                }
            }
        }
    }

    private static void Update(Span<float> value, ReadOnlySpan<float> gradient, Span<float> m, Span<float> v, in Coefficients c)
    {
        ref float pv = ref MemoryMarshal.GetReference(value);
        ref float pg = ref MemoryMarshal.GetReference(gradient);
        ref float pm = ref MemoryMarshal.GetReference(m);
        ref float ps = ref MemoryMarshal.GetReference(v);
        int n = value.Length;
        int i = 0;
        float oneMinusBeta1 = 1 - c.Beta1, oneMinusBeta2 = 1 - c.Beta2;
        if (Vector256.IsHardwareAccelerated)
        {
            var decay = Vector256.Create(c.Decay);
            var beta1 = Vector256.Create(c.Beta1);
            var beta2 = Vector256.Create(c.Beta2);
            var b1c = Vector256.Create(oneMinusBeta1);
            var b2c = Vector256.Create(oneMinusBeta2);
            var stepSize = Vector256.Create(c.StepSize);
            var sqrtBc2 = Vector256.Create(c.SqrtBiasCorrection2);
            var epsilon = Vector256.Create(c.Epsilon);
            for (; i <= n - Vector256<float>.Count; i += Vector256<float>.Count)
            {
                Vector256<float> g = Vector256.LoadUnsafe(ref pg, (nuint)i);
                Vector256<float> mi = (beta1 * Vector256.LoadUnsafe(ref pm, (nuint)i)) + (b1c * g);
                Vector256<float> vi = (beta2 * Vector256.LoadUnsafe(ref ps, (nuint)i)) + (b2c * g * g);
                Vector256<float> denominator = (Vector256.Sqrt(vi) / sqrtBc2) + epsilon;
                Vector256<float> p = Vector256.LoadUnsafe(ref pv, (nuint)i) * decay;
                (p - (stepSize * (mi / denominator))).StoreUnsafe(ref pv, (nuint)i);
                mi.StoreUnsafe(ref pm, (nuint)i);
                vi.StoreUnsafe(ref ps, (nuint)i);
            }
        }

        for (; i < n; i++)
        {
            float g = Unsafe.Add(ref pg, i);
            float mi = (c.Beta1 * Unsafe.Add(ref pm, i)) + (oneMinusBeta1 * g);
            float vi = (c.Beta2 * Unsafe.Add(ref ps, i)) + (oneMinusBeta2 * g * g);
            float denominator = (MathF.Sqrt(vi) / c.SqrtBiasCorrection2) + c.Epsilon;
            Unsafe.Add(ref pv, i) = (Unsafe.Add(ref pv, i) * c.Decay) - (c.StepSize * (mi / denominator));
            Unsafe.Add(ref pm, i) = mi;
            Unsafe.Add(ref ps, i) = vi;
        }
    }

    private static void CheckBeta(float beta, string name)
    {
        if (!(beta >= 0 && beta < 1))
        {
            throw new ArgumentOutOfRangeException(name, beta, $"'{name}' must be in [0, 1); got {beta}.");
        }
    }

    private readonly struct Coefficients(float decay, float beta1, float beta2, float stepSize, float sqrtBiasCorrection2, float epsilon)
    {
        public float Decay { get; } = decay;

        public float Beta1 { get; } = beta1;

        public float Beta2 { get; } = beta2;

        public float StepSize { get; } = stepSize;

        public float SqrtBiasCorrection2 { get; } = sqrtBiasCorrection2;

        public float Epsilon { get; } = epsilon;
    }
}
