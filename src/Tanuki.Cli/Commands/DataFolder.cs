namespace Tanuki.Cli.Commands;

/// <summary>The checks of a DATA_DIR argument that need no reading.</summary>
internal static class DataFolder
{
    public static void Check(string dataDir)
    {
        if (File.Exists(dataDir))
        {
            string hint = Data.ImageDataset.IsImageFile(dataDir)
                ? $" This is an image; its class folder's parent, '{Path.GetDirectoryName(Path.GetDirectoryName(Path.GetFullPath(dataDir)))}', may be the folder you mean."
                : "";
            throw new CliException($"data folder '{dataDir}' is a file, not a folder. Give a folder with one subfolder of images per class, e.g. photos/cats/*.jpg and photos/dogs/*.jpg.{hint}");
        }
        if (!Directory.Exists(dataDir))
            throw new CliException($"data folder '{dataDir}' does not exist. Give a folder with one subfolder of images per class, e.g. photos/cats/*.jpg and photos/dogs/*.jpg.");
    }
}
