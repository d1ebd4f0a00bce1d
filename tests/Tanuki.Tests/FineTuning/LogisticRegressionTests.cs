using System.Text.Json;
using Tanuki.FineTuning;

namespace Tanuki.Tests.FineTuning;

/// <summary>
/// The L-BFGS logistic regression against scikit-learn's (StandardScaler + LogisticRegression, lbfgs, tolerance
/// 1e-12): tools/reference_logistic.py wrote the cases to FineTuning/Reference/logistic.json.
/// </summary>
public class LogisticRegressionTests
{
    private static readonly Lazy<JsonElement> s_cases = new(() =>
    {
        string path = Path.Combine(AppContext.BaseDirectory, "FineTuning", "Reference", "logistic.json");
        using JsonDocument doc = JsonDocument.Parse(File.ReadAllText(path));
        return doc.RootElement.GetProperty("cases").Clone();
    });

    private static JsonElement Case(string name) => s_cases.Value.EnumerateArray().Single(c => c.GetProperty("name").GetString() == name);

    private static Tensor Matrix(JsonElement e) =>
        torch.tensor(e.EnumerateArray().SelectMany(r => r.EnumerateArray().Select(v => v.GetDouble())).ToArray(), ScalarType.Float64)
             .reshape(e.GetArrayLength(), -1);

    [Theory]
    [InlineData("three_blobs")]
    [InlineData("weighted")]
    [InlineData("strong_penalty")]
    [InlineData("absent_class")]
    public void MatchesScikitLearn(string name)
    {
        JsonElement c = Case(name);
        using var scope = NewDisposeScope();
        Tensor x = Matrix(c.GetProperty("x"));
        Tensor y = torch.tensor(c.GetProperty("y").EnumerateArray().Select(v => v.GetInt64()).ToArray());
        Tensor? w = c.GetProperty("w").ValueKind == JsonValueKind.Null ? null : torch.tensor(c.GetProperty("w").EnumerateArray().Select(v => v.GetDouble()).ToArray());
        int classes = c.GetProperty("classes").GetInt32();
        long[] present = c.GetProperty("present").EnumerateArray().Select(v => v.GetInt64()).ToArray();

        using var lr = new LogisticRegression(c.GetProperty("l2").GetDouble(), maxIterations: 5000, tolerance: 1e-9).Fit(x, y, classes, w);

        Assert.True(lr.Converged, $"{name}: not converged after {lr.Iterations} iterations");
        Assert.Equal(new long[] { classes, x.shape[1] }, lr.Coefficients!.shape);
        // Compare log-probabilities over the classes present (a class absent from the data only gets a very low logit).
        Tensor ours = torch.nn.functional.log_softmax(lr.DecisionFunction(x).to_type(ScalarType.Float64).index_select(1, torch.tensor(present)), 1);
        Tensor theirs = torch.nn.functional.log_softmax(Matrix(c.GetProperty("logits_present")), 1);
        double maxDiff = (ours - theirs).abs().max().item<double>();
        Assert.True(maxDiff < 2e-4, $"{name}: log-probabilities differ from scikit-learn's by up to {maxDiff}");
    }

    [Fact]
    public void WarmStartReachesTheSameSolutionInFewerIterations()
    {
        JsonElement c = Case("weighted");
        using var scope = NewDisposeScope();
        Tensor x = Matrix(c.GetProperty("x"));
        Tensor y = torch.tensor(c.GetProperty("y").EnumerateArray().Select(v => v.GetInt64()).ToArray());
        using var strong = new LogisticRegression(0.1, tolerance: 1e-8).Fit(x, y, 4);
        using var cold = new LogisticRegression(0.08, tolerance: 1e-8).Fit(x, y, 4);
        using var warm = new LogisticRegression(0.08, tolerance: 1e-8).Fit(x, y, 4, warmStart: strong);
        Assert.True(warm.Iterations < cold.Iterations, $"warm {warm.Iterations} vs cold {cold.Iterations} iterations");
        Assert.True((warm.DecisionFunction(x) - cold.DecisionFunction(x)).abs().max().item<float>() < 1e-3);
    }

    [Fact]
    public void BadInputIsRefusedWithTheReason()
    {
        using var scope = NewDisposeScope();
        Tensor x = torch.randn(6, 3);
        Tensor y = torch.tensor(new long[] { 0, 1, 2, 0, 1, 2 });
        Assert.Contains("labels in [0, 2)", Assert.Throws<ArgumentException>(() => new LogisticRegression().Fit(x, y, 2)).Message);
        Assert.Contains("one label per sample", Assert.Throws<ArgumentException>(() => new LogisticRegression().Fit(x, y[..5], 3)).Message);
        Assert.Contains("NaN", Assert.Throws<ArgumentException>(() => new LogisticRegression().Fit(x.index_put_(torch.tensor(float.NaN), 0, 0), y, 3)).Message);
        Assert.Contains("sum to zero", Assert.Throws<ArgumentException>(() => new LogisticRegression().Fit(torch.randn(6, 3), y, 3, torch.zeros(6))).Message);
        Assert.Throws<ArgumentOutOfRangeException>(() => new LogisticRegression(l2: -1));
        Assert.Throws<InvalidOperationException>(() => new LogisticRegression().DecisionFunction(x));
    }
}
