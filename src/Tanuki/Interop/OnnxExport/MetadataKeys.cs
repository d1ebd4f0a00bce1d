namespace Tanuki.Interop.OnnxExport;

/// <summary>The <c>metadata_props</c> keys Tanuki writes.</summary>
internal static class MetadataKeys
{
    /// <summary>The class names by output index, as a JSON array of strings.</summary>
    public const string ClassNames = "class_names";

    /// <summary>"true" when the outputs are probabilities (a softmax was added on export), else "false".</summary>
    public const string SoftmaxIncluded = "softmax_included";
}
