using Tanuki.Data;

namespace Tanuki.FewShot;

/// <summary>One run's images (a regime and a seed), in the forms the rows read them.</summary>
internal interface IRunData : IDisposable
{
    /// <summary>The classes of the run, by label.</summary>
    IReadOnlyList<string> ClassNames { get; }

    /// <summary>The label of each training image, in the order of <see cref="TrainInOrder"/>.</summary>
    int[] TrainLabels { get; }

    /// <summary>The label of each test image, in the order of <see cref="Test"/>.</summary>
    int[] TestLabels { get; }

    /// <summary>The training images as <c>tanuki train</c> (a folder) or <c>tanuki demo</c> (tensors) hands them to the recipe.</summary>
    Dataset Train();

    /// <summary>The training images, batched, in the order of <see cref="TrainLabels"/>.</summary>
    Dataset TrainInOrder();

    /// <summary>The test images, batched, in the order of <see cref="TestLabels"/>.</summary>
    Dataset Test();

    /// <summary>The training images as PNG files, with their labels (for ML.NET).</summary>
    IReadOnlyList<(string Path, int Label)> TrainFiles { get; }

    /// <summary>The test images as PNG files, with their labels, in the order of <see cref="TestLabels"/>.</summary>
    IReadOnlyList<(string Path, int Label)> TestFiles { get; }
}
