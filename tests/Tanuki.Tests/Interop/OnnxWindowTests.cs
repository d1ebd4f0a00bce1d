using Google.Protobuf;
using Tanuki.Interop.OnnxImport;
using Tanuki.Interop.OnnxImport.Protos;

namespace Tanuki.Tests.Interop;

/// <summary>A window the importer cannot express says whether a fixed input size would fix it, as a flag, not in words.</summary>
public class OnnxWindowTests
{
    private static OnnxNode Pool(string autoPad, long stride)
    {
        var proto = new NodeProto { OpType = "MaxPool", Name = "pool" };
        proto.Input.Add("x");
        proto.Output.Add("y");
        proto.Attribute.Add(new AttributeProto { Name = "auto_pad", Type = AttributeProto.Types.AttributeType.String, S = ByteString.CopyFromUtf8(autoPad) });
        var strides = new AttributeProto { Name = "strides", Type = AttributeProto.Types.AttributeType.Ints };
        strides.Ints.AddRange([stride, stride]);
        proto.Attribute.Add(strides);
        return new OnnxNode(proto, 0);
    }

    [Fact]
    public void SameLowerWithStridesNeedsAFixedSizeOnlyWhileTheSizeIsFree()
    {
        Assert.Null(OnnxWindow.Read(Pool("SAME_LOWER", 2), [3, 3], [], out OnnxWindowProblem? problem));
        Assert.True(problem!.NeedsFixedInputSize);
        OnnxWindow? fixedSize = OnnxWindow.Read(Pool("SAME_LOWER", 2), [3, 3], [1, 3, 8, 8], out problem);
        Assert.Null(problem);
        Assert.Equal((1, 0, 1, 0), fixedSize!.Pads);     // total pad 1 per axis, the larger half first (SAME_LOWER)
    }

    [Fact]
    public void AttributesNoSizeFixesAreRefusedOutright()
    {
        Assert.Null(OnnxWindow.Read(Pool("BOGUS", 1), [3, 3], [1, 3, 8, 8], out OnnxWindowProblem? problem));
        Assert.False(problem!.NeedsFixedInputSize);
        Assert.Contains("BOGUS", problem.Message);
        Assert.Null(OnnxWindow.Read(Pool("VALID", 1), [3, 3, 3], [], out problem));
        Assert.False(problem!.NeedsFixedInputSize);
        Assert.Equal("only 2-D windows (inputs N×C×H×W) are imported; this one has 3 spatial dimensions", problem.Message);
    }
}
