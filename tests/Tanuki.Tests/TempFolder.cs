namespace Tanuki.Tests;

/// <summary>A fresh folder under the system temp folder for one test; left for the OS to clean.</summary>
internal static class TempFolder
{
    public static string Create([System.Runtime.CompilerServices.CallerMemberName] string name = "")
    {
        string dir = Path.Combine(Path.GetTempPath(), "tanuki-tests", $"{name}-{Guid.NewGuid():N}"[..Math.Min(name.Length + 9, 60)]);
        Directory.CreateDirectory(dir);
        return dir;
    }
}
