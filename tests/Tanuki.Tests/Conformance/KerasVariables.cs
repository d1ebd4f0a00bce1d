namespace Tanuki.Tests.Conformance;

/// <summary>
/// Keras's <c>backend.Variable(value, name=...)</c> for optimizer tests: a Tanuki <see cref="Variable"/> is made by a
/// layer, so a small layer holds it.
/// </summary>
internal static class KerasVariables
{
    private sealed class Holder : Layer
    {
        public Holder(string name, long[] shape, float[] values)
        {
            Value = AddWeight(name, shape, Initializers.Zeros);
            Value.Assign(torch.tensor(values).reshape(shape));
        }

        public Variable Value { get; }
    }

    /// <summary>A trainable float32 variable with these values (a scalar when <paramref name="shape"/> is empty).</summary>
    public static Variable Make(long[] shape, float[] values, string name = "variable") => new Holder(name, shape, values).Value;

    /// <summary>A vector variable.</summary>
    public static Variable Make(params float[] values) => Make([values.Length], values);

    /// <summary>A scalar variable.</summary>
    public static Variable Scalar(float value, string name = "variable") => Make([], [value], name);

    /// <summary>The variable's values as doubles.</summary>
    public static double[] Values(this Variable v) => v.Value.detach().cpu().to_type(ScalarType.Float64).flatten().data<double>().ToArray();
}
