using System.Text.Json.Serialization;

namespace Tanuki.Cli.Commands;

/// <summary>One line of <c>predict --json</c> (JSON Lines: one object per image, in path order).</summary>
/// <param name="File">The image file.</param>
/// <param name="Predictions">The most likely classes, most likely first; null for a skipped file.</param>
/// <param name="Error">Why the file was skipped (<c>--on-error skip</c>); null for a predicted one.</param>
internal sealed record PredictionLine(
    string File,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] IReadOnlyList<ClassProbability>? Predictions,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] string? Error);

/// <summary>A class and its probability.</summary>
internal sealed record ClassProbability(string Class, double Probability);

/// <summary>The one JSON document of <c>evaluate --json</c>.</summary>
/// <param name="Accuracy">Right predictions over all images (a non-finite prediction is wrong).</param>
/// <param name="Count">The images evaluated.</param>
/// <param name="Classes">The model's classes, in output order: the rows and columns of the matrix.</param>
/// <param name="PerClass">Each of the model's classes: its images, the right ones and their ratio (null without images).</param>
/// <param name="ConfusionMatrix">Rows the true class, columns the predicted one, both in <paramref name="Classes"/> order.</param>
/// <param name="NonFinite">Images for which the model predicted NaN or an infinity (in no cell of the matrix).</param>
internal sealed record EvaluationReport(
    double Accuracy, long Count, IReadOnlyList<string> Classes, IReadOnlyList<ClassAccuracy> PerClass, int[][] ConfusionMatrix, long NonFinite);

/// <summary>One class's line of <see cref="EvaluationReport.PerClass"/>.</summary>
internal sealed record ClassAccuracy(string Class, int Count, int Correct, double? Accuracy);

/// <summary>
/// The JSON the CLI writes, serialized by source-generated code (no reflection, so trimmed and single-file publishes
/// write it too). Keys are snake_case, as in Keras logs.
/// </summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
[JsonSerializable(typeof(PredictionLine))]
[JsonSerializable(typeof(EvaluationReport))]
internal sealed partial class CliJson : JsonSerializerContext;
