namespace Tanuki.Data;

/// <summary>
/// <see cref="ResizeMode"/> as Keras's pair of flags (<c>crop_to_aspect_ratio</c>, <c>pad_to_aspect_ratio</c>) and back:
/// the loaders take the flags, a model and a dataset state the mode. The one place the two meet.
/// </summary>
internal static class ResizeModeFlags
{
    /// <summary>The flags that resize as <paramref name="mode"/> does (neither set: squash).</summary>
    internal static (bool CropToAspectRatio, bool PadToAspectRatio) ToAspectRatioFlags(this ResizeMode mode) =>
        (mode == ResizeMode.Crop, mode == ResizeMode.Pad);

    /// <summary>As <see cref="ToAspectRatioFlags(ResizeMode)"/>; no mode (a model that does not say) squashes, as Keras does by default.</summary>
    internal static (bool CropToAspectRatio, bool PadToAspectRatio) ToAspectRatioFlags(this ResizeMode? mode) =>
        (mode ?? ResizeMode.Squash).ToAspectRatioFlags();

    /// <summary>The mode the flags resize by (the loaders refuse both set; pad would win).</summary>
    internal static ResizeMode FromAspectRatioFlags(bool cropToAspectRatio, bool padToAspectRatio) =>
        padToAspectRatio ? ResizeMode.Pad : cropToAspectRatio ? ResizeMode.Crop : ResizeMode.Squash;
}
