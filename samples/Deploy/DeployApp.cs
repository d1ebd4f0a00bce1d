using Microsoft.AspNetCore.Http.Features;

namespace Deploy;

/// <summary>
/// The web app: <c>POST /predict</c> with an image (the request body, or a form file) answers the most likely classes
/// and every class's probability; <c>GET /</c> describes the model.
/// </summary>
public static class DeployApp
{
    /// <summary>The largest image accepted, in bytes.</summary>
    public const long MaxImageBytes = 20_000_000;

    /// <summary>Builds the app. The model is <paramref name="modelPath"/>, or the <c>--model</c> argument (configuration key <c>Model</c>).</summary>
    /// <exception cref="ArgumentException">No model was given.</exception>
    public static WebApplication Create(string[] args, string? modelPath = null)
    {
        WebApplicationBuilder builder = WebApplication.CreateBuilder(args);
        modelPath ??= builder.Configuration["Model"]
            ?? throw new ArgumentException("Give the ONNX model to serve: dotnet run -- --model model.onnx (write one with 'tanuki export MODEL --out model.onnx').");
        builder.Services.AddSingleton(new OnnxClassifier(modelPath));
        builder.Services.Configure<FormOptions>(o => o.MultipartBodyLengthLimit = MaxImageBytes);
        WebApplication app = builder.Build();

        app.MapGet("/", (OnnxClassifier classifier) => Results.Ok(new
        {
            model = Path.GetFileName(modelPath),
            input = new { name = classifier.InputName, height = classifier.Height, width = classifier.Width, layout = "RGB 0-255, channels first" },
            classes = classifier.ClassNames,
        }));
        app.MapPost("/predict", Predict);
        return app;
    }

    private static async Task<IResult> Predict(HttpRequest request, OnnxClassifier classifier, int? top)
    {
        byte[] image;
        if (request.HasFormContentType)
        {
            IFormCollection form = await request.ReadFormAsync();
            IFormFile? file = form.Files.FirstOrDefault();
            if (file is null) return Problem("the form holds no file: send the image as a form file (curl -F image=@cat.jpg) or as the request body (curl --data-binary @cat.jpg)");
            using var stream = new MemoryStream();
            await file.CopyToAsync(stream);
            image = stream.ToArray();
        }
        else
        {
            if (request.ContentLength > MaxImageBytes) return Results.Problem($"the image is larger than {MaxImageBytes:N0} bytes", statusCode: 413);
            using var stream = new MemoryStream();
            await request.Body.CopyToAsync(stream);
            image = stream.ToArray();
        }
        if (image.Length == 0) return Problem("the request has no image: send JPEG, PNG, BMP, GIF or WebP bytes as the body (curl --data-binary @cat.jpg)");

        float[] probabilities;
        try { probabilities = classifier.Classify(image); }
        catch (InvalidDataException e) { return Problem(e.Message); }
        int k = Math.Clamp(top ?? 3, 1, probabilities.Length);
        var best = probabilities.Select((p, i) => (p, i)).OrderByDescending(c => c.p).Take(k)
            .Select(c => new { @class = classifier.ClassNames[c.i], probability = c.p });
        return Results.Ok(new { predictions = best, probabilities });
    }

    private static IResult Problem(string detail) => Results.Problem(detail, statusCode: 400);
}
