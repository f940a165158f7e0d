using System.Collections.Generic;
using FineTuneGuard.Internal;

namespace FineTuneGuard.SourceGenerators.Parsing;

/// <summary>
/// The validation every layer parser shares, worded the same way everywhere: each failed rule adds one FTG0101
/// message that names the attribute, the argument and the value it got.
/// </summary>
internal readonly struct ArgumentRules
{
    private readonly AttributeArguments _args;
    private readonly string _attributeName;
    private readonly List<string> _errors;

    public ArgumentRules(AttributeArguments args, string attributeName, List<string> errors)
    {
        _args = args;
        _attributeName = attributeName;
        _errors = errors;
    }

    /// <summary>A constructor argument that must be an int constant &gt; 0.</summary>
    public bool PositiveConstructorInt(int index, string parameter, out int value)
    {
        if (!_args.TryGetConstructorInt(index, out value))
        {
            _errors.Add($"[{_attributeName}] argument '{parameter}' is missing or not an int constant");
            return false;
        }

        if (value <= 0)
        {
            _errors.Add($"[{_attributeName}] argument '{parameter}' must be > 0; got {value}");
            return false;
        }

        return true;
    }

    /// <summary>A named int that must be &gt; 0 when given (<paramref name="defaultValue"/> when absent).</summary>
    public bool PositiveNamedInt(string name, int defaultValue, out int value)
    {
        if (!_args.TryGetNamed(name, defaultValue, out value) || IsFractional(_args.Written(name)))
        {
            _errors.Add($"[{_attributeName}] {name} must be an int constant{Got(name)}");
            return false;
        }

        if (value <= 0)
        {
            _errors.Add($"[{_attributeName}] {name} must be > 0; got {value}");
            return false;
        }

        return true;
    }

    /// <summary>A named int that must be &gt;= 0 (0 meaning "default" or "none").</summary>
    public bool NonNegativeNamedInt(string name, out int value)
    {
        if (!_args.TryGetNamed(name, 0, out value) || IsFractional(_args.Written(name)))
        {
            _errors.Add($"[{_attributeName}] {name} must be an int constant{Got(name)}");
            return false;
        }

        if (value < 0)
        {
            _errors.Add($"[{_attributeName}] {name} must be >= 0; got {value}");
            return false;
        }

        return true;
    }

    /// <summary>A named bool constant.</summary>
    public bool NamedBool(string name, bool defaultValue, out bool value)
    {
        if (!_args.TryGetNamed(name, defaultValue, out value))
        {
            _errors.Add($"[{_attributeName}] {name} must be a bool constant{Got(name)}");
            return false;
        }

        return true;
    }

    /// <summary>LoRA alpha: a finite float &gt; 0.</summary>
    public bool Alpha(out float alpha)
    {
        if (!_args.TryGetNamed("Alpha", 8f, out alpha))
        {
            _errors.Add($"[{_attributeName}] Alpha must be a finite float > 0{Got("Alpha")}");
            return false;
        }

        if (!(alpha > 0) || float.IsInfinity(alpha))
        {
            _errors.Add($"[{_attributeName}] Alpha must be a finite float > 0; got {alpha.ToString(System.Globalization.CultureInfo.InvariantCulture)}");
            return false;
        }

        return true;
    }

    /// <summary>A parameter count, computed in checked arithmetic; an overflow becomes the FTG0101 message "<paramref name="what"/> overflows long".</summary>
    public bool Count(System.Func<long> compute, string what, out long count)
    {
        try
        {
            count = compute();
            return true;
        }
        catch (System.OverflowException)
        {
            _errors.Add($"[{_attributeName}] {what} overflows long");
            count = 0;
            return false;
        }
    }

    /// <summary>One generated storage buffer must fit a single .NET array.</summary>
    public bool FitsInArray(string buffer, string formula, long length, out int intLength)
    {
        if (length > ParameterArithmetic.MaxArrayLength)
        {
            _errors.Add($"[{_attributeName}] the {buffer} storage {formula} = {length.ToString(System.Globalization.CultureInfo.InvariantCulture)} elements exceeds the largest .NET array ({ParameterArithmetic.MaxArrayLength.ToString(System.Globalization.CultureInfo.InvariantCulture)})");
            intLength = 0;
            return false;
        }

        intLength = (int)length;
        return true;
    }

    /// <summary>A product of dimensions that must fit an int (a width the runtime takes as int).</summary>
    public bool IntProduct(string what, string formula, long a, long b, out int product)
    {
        long value = a * b;
        if (value > int.MaxValue)
        {
            _errors.Add($"[{_attributeName}] {what} {formula} = {value.ToString(System.Globalization.CultureInfo.InvariantCulture)} overflows int");
            product = 0;
            return false;
        }

        product = (int)value;
        return true;
    }

    /// <summary>"; got &lt;what was written&gt;" when the argument is written, else nothing.</summary>
    public string Got(string name) => _args.Written(name) is { } written ? "; got " + written : string.Empty;

    /// <summary>A numeric literal with a fraction, exponent or real suffix (1.5, 2f, 1e3), which C# converts to int with an error.</summary>
    private static bool IsFractional(string? written)
    {
        if (written is null || written.Length == 0 || !(char.IsDigit(written[0]) || written[0] == '.' || written[0] == '-'))
        {
            return false;
        }

        string text = written.TrimEnd('f', 'F', 'd', 'D', 'm', 'M');
        return !int.TryParse(text, System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out _)
               && double.TryParse(text, System.Globalization.NumberStyles.Float, System.Globalization.CultureInfo.InvariantCulture, out _);
    }
}
