using System.CommandLine;

namespace Tanuki.Cli.Commands;

/// <summary><c>tanuki summary MODEL</c>: the layer table with trainable and non-trainable parameter counts.</summary>
internal static class SummaryCommand
{
    public static Command Create()
    {
        var model = new Argument<string>("MODEL") { Description = "A .tanuki model file." };
        var expand = new Option<bool>("--expand") { Description = "Show the layers inside nested models (the base) too." };
        var cmd = new Command("summary", "Print a model's layers, output shapes and parameter counts (trainable and not).") { model, expand };
        cmd.SetAction(parse => CommandRunner.Run(() =>
        {
            string path = parse.GetValue(model)!;
            Model m = ModelFiles.Load(path, requireFinite: false);   // the layers of a diverged model are still worth showing
            m.Summary(showTrainable: true, expandNested: parse.GetValue(expand));
            if (m.ClassNames is { } names) Console.WriteLine($"Classes ({names.Count}): {string.Join(", ", names)}");
            if (ModelFiles.NonFiniteWeight(m) is string weight)
                Console.Error.WriteLine($"tanuki: warning: model '{path}' holds NaN or infinite values (in weight '{weight}'): it predicts nothing. Train it again with a lower learning rate.");
            return Program.Ok;
        }));
        return cmd;
    }
}
