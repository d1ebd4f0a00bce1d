using System.Collections.Concurrent;
using static TorchSharp.torch;

namespace Tanuki.Data;

/// <summary>
/// Images read from a folder with one subfolder per class (<see cref="FromDirectory"/>), decoded, resized and
/// batched on background threads: <c>N×C×H×W</c> float32 images in 0–255 with their labels. Memory stays bounded
/// (a few batches) however large the folder, and decoding runs ahead of the consumer.
/// </summary>
public sealed partial class ImageDataset : Dataset
{
    private readonly Settings _settings;
    private readonly string[] _files;
    private readonly int[] _labels;
    private readonly bool _reshuffle;
    private readonly Dataset _pipeline;
    private readonly ConcurrentQueue<(string File, string Reason)> _skipped;
    private int _epoch;

    /// <summary>
    /// The largest image, in pixels (width × height), that is decoded; larger ones are rejected from their header
    /// before decoding, so that a hostile or mistaken file (a 20,000 × 20,000 PNG of a few kilobytes) cannot exhaust
    /// memory. Default 100 megapixels. Like Pillow's <c>MAX_IMAGE_PIXELS</c>.
    /// </summary>
    public static long MaxImagePixels { get; set; } = 100_000_000;

    private ImageDataset(Settings settings, IReadOnlyList<string> classNames, string[] files, int[] labels, bool reshuffle,
                         ConcurrentQueue<(string, string)> skipped)
    {
        _settings = settings;
        _files = files;
        _labels = labels;
        _reshuffle = reshuffle;
        _skipped = skipped;
        ClassNames = classNames;
        Dataset samples = new DecodedImages(this);
        _pipeline = settings.BatchSize > 0 ? samples.Batch(settings.BatchSize).Prefetch(2) : samples;
    }

    /// <summary>The image files, in the order of the dataset before any per-epoch shuffling.</summary>
    public IReadOnlyList<string> FilePaths => _files;

    /// <summary>The label index of each file in <see cref="FilePaths"/>.</summary>
    public IReadOnlyList<int> Labels => _labels;

    /// <summary>Images per batch (0: single images).</summary>
    internal int BatchSize => _settings.BatchSize;

    /// <summary>The size every image is resized to.</summary>
    public (int Height, int Width) ImageSize => (_settings.Height, _settings.Width);

    /// <summary>How images of another shape were brought to <see cref="ImageSize"/>: padded, centre-cropped or squashed.</summary>
    public ResizeMode Resize => ResizeModeFlags.FromAspectRatioFlags(_settings.CropToAspectRatio, _settings.PadToAspectRatio);

    /// <summary>Files skipped with <c>onError: "skip"</c> so far, and why (each was also written to standard error).</summary>
    public IReadOnlyCollection<(string File, string Reason)> SkippedFiles => _skipped;

    /// <inheritdoc />
    public override long Cardinality => _settings.BatchSize > 0 ? (_files.Length + _settings.BatchSize - 1) / _settings.BatchSize : _files.Length;

    /// <inheritdoc />
    public override bool IsBatched => _settings.BatchSize > 0;

    internal override bool IsOrderStable => !_reshuffle;

    internal override bool SupportsFeatureCache => true;   // decoding and resizing are deterministic

    internal override bool ShufflesEachPass => _reshuffle;

    /// <inheritdoc />
    public override IEnumerator<(Tensor Inputs, Tensor Targets)> GetEnumerator() => _pipeline.GetEnumerator();

    /// <summary>
    /// The images at <paramref name="indices"/> (positions in <see cref="FilePaths"/>), loaded the same way, in
    /// batches of <paramref name="batchSize"/>: reshuffled at every pass with <paramref name="seed"/> when
    /// <paramref name="shuffle"/>, else in the order given. The fine-tuning recipe's folds and hold-outs.
    /// </summary>
    internal ImageDataset Subset(IReadOnlyList<int> indices, int batchSize, bool shuffle, int seed)
    {
        foreach (int i in indices)
            if (i < 0 || i >= _files.Length) throw new ArgumentOutOfRangeException(nameof(indices), i, $"Expected positions in [0, {_files.Length}).");
        return new ImageDataset(_settings with { BatchSize = Guard.Positive(batchSize), Seed = seed }, ClassNames!,
                                indices.Select(i => _files[i]).ToArray(), indices.Select(i => _labels[i]).ToArray(), shuffle, _skipped);
    }

    /// <summary>The order of this epoch: a new seeded permutation per epoch for shuffled training data.</summary>
    private int[] NextOrder()
    {
        int[] order = Enumerable.Range(0, _files.Length).ToArray();
        if (_reshuffle) new Random(Seeds.Derive(_settings.Seed, 1000 + Interlocked.Increment(ref _epoch))).Shuffle(order);
        return order;
    }

    /// <summary>Decodes, resizes and labels one file (on a worker); (null, null) when it is skipped.</summary>
    private (Tensor, Tensor) Load(int index)
    {
        string path = _files[index];
        Tensor x;
        try
        {
            x = ImageDecoder.Decode(path, _settings.ColorMode, _settings.Background, MaxImagePixels,
                                    image => ResizeDecoded(image, (_settings.Height, _settings.Width), _settings.Interpolation, _settings.CropToAspectRatio,
                                                           _settings.PadToAspectRatio, _settings.Background, _settings.ColorMode));
        }
        catch (Exception e) when (_settings.Skip && e is InvalidDataException or IOException or UnauthorizedAccessException)
        {
            Skip(_skipped, path, e.Message);
            return (null!, null!);
        }
        using var scope = NewDisposeScope();
        scope.Attach(x);
        Tensor y = _settings.LabelMode switch
        {
            "int" => torch.tensor((long)_labels[index]),
            "categorical" => torch.nn.functional.one_hot(torch.tensor((long)_labels[index]), ClassNames!.Count).to_type(ScalarType.Float32),
            _ => torch.tensor(new float[] { _labels[index] }),
        };
        return scope.Detach(x, y);
    }

    /// <summary>Squashes, crops or pads a 1×C×H×W image to the target size; padding uses the background colour.</summary>
    private static Tensor ResizeImage(Tensor batch, (int Height, int Width) size, string interpolation, bool crop, bool pad,
                                      (byte R, byte G, byte B) background, string colorMode)
    {
        if (crop) return ImageOps.SmartResize(batch, size.Height, size.Width, interpolation);
        if (!pad) return ImageOps.Resize(batch, size.Height, size.Width, interpolation);
        double[] fill = colorMode switch
        {
            "grayscale" => [0.299 * background.R + 0.587 * background.G + 0.114 * background.B],
            "rgba" => [background.R, background.G, background.B, 0],
            _ => [background.R, background.G, background.B],
        };
        return ImageOps.PadResize(batch, size.Height, size.Width, interpolation, fill);
    }

    private static void Skip(ConcurrentQueue<(string, string)> skipped, string path, string reason)
    {
        skipped.Enqueue((path, reason));
        Console.Error.WriteLine($"ImageDataset: skipped '{path}': {reason}");
    }

    /// <summary>The unbatched samples, decoded on background workers in the epoch's order.</summary>
    private sealed class DecodedImages(ImageDataset owner) : Dataset
    {
        public override long Cardinality => owner._files.Length;

        public override bool IsBatched => false;

        public override IEnumerator<(Tensor Inputs, Tensor Targets)> GetEnumerator()
        {
            int[] order = owner.NextOrder();
            int workers = owner._settings.Workers;
            return new BackgroundEnumerator<int>(
                () => ((IEnumerable<int>)order).GetEnumerator(), (i, _) => owner.Load(i), release: null,
                workers, capacity: 2 * workers + 2, stage: "ImageDataset decoding");
        }
    }

    private sealed record Settings(
        int Height, int Width, int BatchSize, int Seed, string LabelMode, string ColorMode, string Interpolation,
        bool CropToAspectRatio, bool PadToAspectRatio, bool Skip, (byte R, byte G, byte B) Background, int Workers);
}
