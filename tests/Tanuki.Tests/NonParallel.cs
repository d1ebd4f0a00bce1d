namespace Tanuki.Tests;

/// <summary>Tests that measure the process (RSS) or the whole machine run alone, not beside other test classes.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class NonParallel
{
    public const string Name = "NonParallel";
}
