using System;

namespace FineTuneGuard.Losses;

/// <summary>Overflow-free σ, log σ and softplus in double, shared by the preference losses.</summary>
internal static class LogSigmoid
{
    /// <summary>σ(z) = 1 / (1 + e^{−z}), never evaluating e of a large positive number.</summary>
    public static double Sigmoid(double z)
    {
        if (z >= 0)
        {
            return 1.0 / (1.0 + Math.Exp(-z));
        }

        double e = Math.Exp(z);
        return e / (1.0 + e);
    }

    /// <summary>softplus(z) = log(1 + e^z) = −log σ(−z); exactly ln 2 at z = 0.</summary>
    public static double Softplus(double z)
        => z > 0 ? z + Log1P(Math.Exp(-z)) : Log1P(Math.Exp(z));

    /// <summary>log σ(z) = −softplus(−z).</summary>
    public static double Log(double z) => -Softplus(-z);

    /// <summary>
    /// log(1 + x) accurate for tiny x (Goldberg's trick: the rounding error of 1 + x cancels in log(u)·x / (u − 1));
    /// netstandard-era .NET has no Math.Log1P.
    /// </summary>
    public static double Log1P(double x)
    {
        double u = 1.0 + x;
        return u == 1.0 ? x : Math.Log(u) * x / (u - 1.0);
    }
}
