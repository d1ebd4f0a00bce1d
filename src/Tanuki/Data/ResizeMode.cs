namespace Tanuki.Data;

/// <summary>How an image of another size or shape is brought to a model's input size.</summary>
public enum ResizeMode
{
    /// <summary>Stretch it to the size (Keras's default): every pixel kept, shapes distorted.</summary>
    Squash,

    /// <summary>Crop the largest centred window of the target aspect ratio, then resize (Keras's <c>crop_to_aspect_ratio</c>).</summary>
    Crop,

    /// <summary>Pad it to the target aspect ratio with the background colour, then resize (Keras's <c>pad_to_aspect_ratio</c>).</summary>
    Pad,
}
