namespace Deploy;

/// <summary>
/// Serves an image classifier exported by <c>tanuki export</c>:
/// <code>
/// tanuki export pets.tanuki --out pets.onnx
/// dotnet run --project samples/Deploy -- --model pets.onnx --urls http://localhost:5000
/// curl --data-binary @cat.jpg http://localhost:5000/predict
/// </code>
/// </summary>
public static class Program
{
    /// <summary>Starts the service and runs until it is stopped (Ctrl+C).</summary>
    public static void Main(string[] args) => DeployApp.Create(args).Run();
}
