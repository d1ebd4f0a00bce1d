using System.Diagnostics;
using static TorchSharp.torch;

namespace Tanuki.FineTuning;

/// <summary>
/// The frozen part of a model run once over each view of each sample (<see cref="FeatureViews"/>), in inference
/// mode: the features the logistic head trains and is cross-validated on. One pass over the data decodes each
/// image once and runs all its views.
/// </summary>
internal static class FrozenFeatures
{
    /// <summary>Samples × views × features (float32, CPU) for the samples at <paramref name="indices"/>, in that order.</summary>
    public static Tensor Compute(FrozenPrefix prefix, SampleSet samples, int[] indices, int views, int seed, long[] sampleShape,
                                 TextWriter? log, CancellationToken cancellationToken = default)
    {
        int pass = (int)FeatureCache.PassBatch(32, sampleShape);
        var rows = new List<Tensor>();
        var clock = Stopwatch.StartNew();
        var lastReport = TimeSpan.Zero;
        int done = 0;
        try
        {
            foreach (Tensor x in samples.Inputs(indices, pass))
            {
                cancellationToken.ThrowIfCancellationRequested();
                using var scope = NewDisposeScope();
                scope.Attach(x);
                Tensor xd = x.to(Backend.Device).to_type(ScalarType.Float32);
                var perView = new Tensor[views];
                for (int v = 0; v < views; v++)
                {
                    Tensor[] frontier = prefix.RunPrefix(FeatureViews.Apply(xd, v, seed, indices, done), training: false);
                    if (frontier.Length != 1 || frontier[0].dim() != 2)
                        throw new InvalidOperationException("The logistic head needs the frozen part to end in one (N, features) tensor.");
                    perView[v] = frontier[0].to(CPU).to_type(ScalarType.Float32);
                }
                rows.Add(torch.stack(perView, 1).MoveToOuterDisposeScope());
                done += (int)x.shape[0];
                if (log is not null && clock.Elapsed - lastReport > TimeSpan.FromSeconds(10))
                {
                    lastReport = clock.Elapsed;
                    log.WriteLine($"  frozen features: {done}/{indices.Length} images ({clock.Elapsed.TotalSeconds:0}s)");
                }
            }
            return torch.cat(rows, 0);
        }
        finally
        {
            foreach (Tensor t in rows) t.Dispose();
        }
    }
}
