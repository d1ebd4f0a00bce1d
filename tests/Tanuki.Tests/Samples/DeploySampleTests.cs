using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using SkiaSharp;
using Tanuki.Data;
using Tanuki.Interop;
using Tanuki.Tests.Applications;
using Tanuki.Tests.Interop;

namespace Tanuki.Tests.Samples;

/// <summary>
/// samples/Deploy started in this process on a free loopback port, serving the ResNet-18 workflow's model exported by
/// Tanuki: real images posted to /predict get the probabilities Tanuki's Predict gives for the same files, to 1e-4.
/// </summary>
public sealed class DeploySampleTests : IClassFixture<DeploySampleTests.Server>
{
    private const int Size = 64;
    private readonly Server _server;
    private HttpClient Http => _server.Http;
    private Model Model => _server.Model;

    public DeploySampleTests(Server server) => _server = server;

    /// <summary>The exported model and the running service, shared by the tests (building the model takes seconds).</summary>
    public sealed class Server : IAsyncLifetime
    {
        private WebApplication _app = null!;

        internal TempDirectory Dir { get; } = new();
        public HttpClient Http { get; } = new();
        public Model Model { get; private set; } = null!;

        public async Task InitializeAsync()
        {
            Model = OnnxExportWorkflowModel.Create(Size, classes: 4);
            string onnx = Dir.File("classifier.onnx");
            Model.ExportOnnx(onnx, new OnnxExportOptions { IncludeSoftmax = true });
            _app = Deploy.DeployApp.Create(["--urls", "http://127.0.0.1:0"], onnx);
            await _app.StartAsync();
            Http.BaseAddress = new Uri(_app.Urls.Single());       // the port the server bound
        }

        public async Task DisposeAsync()
        {
            await _app.StopAsync();
            await _app.DisposeAsync();
            Http.Dispose();
            Dir.Dispose();
        }
    }

    [Fact]
    public void TheSampleNeedsNeitherTanukiNorTorchSharp()
    {
        string[] references = typeof(Deploy.DeployApp).Assembly.GetReferencedAssemblies().Select(a => a.Name!).ToArray();
        Assert.Contains("Microsoft.ML.OnnxRuntime", references);
        Assert.DoesNotContain(references, r => r.StartsWith("Tanuki", StringComparison.Ordinal) || r.StartsWith("TorchSharp", StringComparison.Ordinal));
    }

    /// <summary>The two Fashion-MNIST test images, at the model's size (PNG) and at another size and aspect (JPEG, resized by the service).</summary>
    public static TheoryData<string, int, int> Images => new() { { "png", Size, Size }, { "jpg", 90, 70 } };

    [Theory]
    [MemberData(nameof(Images))]
    public async Task PredictAnswersWhatTanukiPredicts(string format, int height, int width)
    {
        for (int i = 0; i < 2; i++)
        {
            string file = WriteImage(i, format, height, width);
            using var body = new ByteArrayContent(File.ReadAllBytes(file));
            using HttpResponseMessage response = await Http.PostAsync("/predict?top=2", body);
            string json = await response.Content.ReadAsStringAsync();
            Assert.True(response.StatusCode == HttpStatusCode.OK, json);

            using var doc = JsonDocument.Parse(json);
            float[] served = doc.RootElement.GetProperty("probabilities").EnumerateArray().Select(e => e.GetSingle()).ToArray();
            using var scope = torch.NewDisposeScope();
            Tensor expected = Model.Predict(ImageDataset.LoadImage(file, (Size, Size)).unsqueeze(0)).softmax(-1).squeeze(0);
            OnnxExportRunner.AssertClose(expected, torch.tensor(served), $"image {i} ({format}, {height}×{width})");
            var top = doc.RootElement.GetProperty("predictions").EnumerateArray().ToArray();
            Assert.Equal(2, top.Length);
            Assert.Equal(Model.ClassNames![(int)expected.argmax().item<long>()], top[0].GetProperty("class").GetString());
        }
    }

    [Fact]
    public async Task ABodyThatIsNotAnImageIsABadRequest()
    {
        using var body = new StringContent("hello");
        using HttpResponseMessage response = await Http.PostAsync("/predict", body);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("not an image", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task TheRootDescribesTheModel()
    {
        using var doc = JsonDocument.Parse(await Http.GetStringAsync("/"));
        Assert.Equal(Size, doc.RootElement.GetProperty("input").GetProperty("height").GetInt32());
        Assert.Equal(Model.ClassNames, doc.RootElement.GetProperty("classes").EnumerateArray().Select(e => e.GetString()!));
    }

    /// <summary>Fashion-MNIST test image <paramref name="index"/> (28×28 grey, tinted per channel) upscaled, written as PNG or JPEG.</summary>
    private string WriteImage(int index, string format, int height, int width)
    {
        using var scope = torch.NewDisposeScope();
        Tensor chw = ResNet18Fixture.RealImagesRgb(28)[index];
        Tensor hwc = torch.nn.functional.interpolate(chw.unsqueeze(0), [height, width], mode: InterpolationMode.Bilinear, align_corners: false)
            .squeeze(0).clamp(0, 255).round().to(ScalarType.Byte).permute(1, 2, 0);
        byte[] rgba = torch.cat([hwc, torch.full([height, width, 1], 255, ScalarType.Byte)], 2).contiguous().data<byte>().ToArray();
        using var bitmap = new SKBitmap(new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Opaque));
        System.Runtime.InteropServices.Marshal.Copy(rgba, 0, bitmap.GetPixels(), rgba.Length);
        using SKData data = bitmap.Encode(format == "png" ? SKEncodedImageFormat.Png : SKEncodedImageFormat.Jpeg, 90);
        string path = _server.Dir.File($"image{index}.{format}");
        File.WriteAllBytes(path, data.ToArray());
        return path;
    }
}
