using System.Runtime.InteropServices;

namespace Tanuki.Cli.Commands;

/// <summary>
/// Ctrl+C (SIGINT) during a long command, turned into a cancellation: the first one cancels <see cref="Token"/> and keeps
/// the process alive so that the command can stop after the current step and write what it has finished (Keras-style
/// stop, .NET-style token); a second one is left to the default handling, which ends the process at once.
/// </summary>
internal sealed class Interrupt : IDisposable
{
    private readonly CancellationTokenSource _signalled = new();
    private readonly CancellationTokenSource _linked;
    private readonly PosixSignalRegistration _registration;

    /// <summary>Listens for SIGINT until disposed; <see cref="Token"/> is also cancelled with <paramref name="external"/>.</summary>
    public Interrupt(CancellationToken external)
    {
        _linked = CancellationTokenSource.CreateLinkedTokenSource(external, _signalled.Token);
        _registration = PosixSignalRegistration.Create(PosixSignal.SIGINT, OnSignal);
    }

    /// <summary>Cancelled by Ctrl+C or by the token given.</summary>
    public CancellationToken Token => _linked.Token;

    /// <summary>The SIGINT handler (the registration calls it; tests call it with a context of their own).</summary>
    internal void OnSignal(PosixSignalContext context)
    {
        if (_signalled.IsCancellationRequested) return;   // the second Ctrl+C: quit now
        context.Cancel = true;
        Console.Error.WriteLine("tanuki: interrupted; stopping after the current step and keeping what is finished (Ctrl+C again quits at once)");
        _signalled.Cancel();
    }

    public void Dispose()
    {
        _registration.Dispose();
        _linked.Dispose();
        _signalled.Dispose();
    }
}
