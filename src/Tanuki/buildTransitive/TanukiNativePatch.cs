#nullable enable
// Compiled twice: into Tanuki.dll (TANUKI_LIBRARY defined, used by the start-up check) and, by MSBuild's
// RoslynCodeTaskFactory, into the build task that fixes the copy in a project's output folder.
// Why it exists: TorchSharp 0.107's libLibTorchSharp.so requires the symbol version GLIBCXX_3.4.32
// (GCC 13), which Debian 12 / Ubuntu 22.04 lack. The only symbol of that version it references,
// std::ios_base_library_init(), is never called, so marking the requirement weak (VER_FLG_WEAK)
// lets the dynamic loader accept an older libstdc++ and changes nothing else.
using System;
using System.Collections.Generic;
using System.IO;
using System.Text;

#if TANUKI_LIBRARY
namespace Tanuki.Native
{
#endif
    /// <summary>What <see cref="ElfVersionPatch.MakeWeak"/> found or did.</summary>
    internal enum ElfPatchResult
    {
        /// <summary>The file is not a 64-bit little-endian ELF object.</summary>
        NotElf,
        /// <summary>The file does not require the version at all.</summary>
        NotRequired,
        /// <summary>The requirement was already weak; nothing was written.</summary>
        AlreadyWeak,
        /// <summary>The requirement was made weak.</summary>
        Patched,
    }

    /// <summary>Marks one symbol-version requirement of an ELF shared object as weak.</summary>
    internal static class ElfVersionPatch
    {
        /// <summary>The version TorchSharp 0.107 asks for and Debian 12's libstdc++ lacks.</summary>
        public const string GlibcxxVersion = "GLIBCXX_3.4.32";

        private const uint ShtGnuVerneed = 0x6ffffffe;
        private const ushort VerFlgWeak = 0x2;

        /// <summary>
        /// Sets VER_FLG_WEAK on every <c>.gnu.version_r</c> entry named <paramref name="version"/>.
        /// Writes to a temporary file in the same folder, then renames it over the original, so the
        /// file is never half-written and a hard link into the NuGet cache is never modified.
        /// </summary>
        public static ElfPatchResult MakeWeak(string path, string version, bool dryRun)
        {
            byte[] b = File.ReadAllBytes(path);
            List<int> flagOffsets = FindRequirement(b, version, out bool isElf);
            if (!isElf) return ElfPatchResult.NotElf;
            if (flagOffsets.Count == 0) return ElfPatchResult.NotRequired;
            bool changed = false;
            foreach (int off in flagOffsets)
            {
                ushort flags = BitConverter.ToUInt16(b, off);
                if ((flags & VerFlgWeak) != 0) continue;
                flags |= VerFlgWeak;
                b[off] = (byte)(flags & 0xff);
                b[off + 1] = (byte)(flags >> 8);
                changed = true;
            }
            if (!changed) return ElfPatchResult.AlreadyWeak;
            if (dryRun) return ElfPatchResult.Patched;
            string tmp = path + ".tanuki-tmp";
            File.Copy(path, tmp, true);           // keeps the file mode (the execute bit)
            File.WriteAllBytes(tmp, b);           // truncating an existing file keeps its mode
            File.Delete(path);
            File.Move(tmp, path);
            return ElfPatchResult.Patched;
        }

        /// <summary>Offsets of the vna_flags fields of the entries named <paramref name="version"/>.</summary>
        private static List<int> FindRequirement(byte[] b, string version, out bool isElf)
        {
            var found = new List<int>();
            isElf = b.Length > 64 && b[0] == 0x7f && b[1] == (byte)'E' && b[2] == (byte)'L' && b[3] == (byte)'F'
                && b[4] == 2 /* ELFCLASS64 */ && b[5] == 1 /* little-endian */;
            if (!isElf) return found;
            long shoff = BitConverter.ToInt64(b, 0x28);
            int shentsize = BitConverter.ToUInt16(b, 0x3A);
            int shnum = BitConverter.ToUInt16(b, 0x3C);
            if (shoff <= 0 || shoff + (long)shnum * shentsize > b.Length) { isElf = false; return found; }
            for (int i = 0; i < shnum; i++)
            {
                int sh = (int)shoff + i * shentsize;
                if (BitConverter.ToUInt32(b, sh + 4) != ShtGnuVerneed) continue;
                long secOff = BitConverter.ToInt64(b, sh + 0x18);
                int link = (int)BitConverter.ToUInt32(b, sh + 0x28);
                int count = (int)BitConverter.ToUInt32(b, sh + 0x2C);
                long strOff = BitConverter.ToInt64(b, (int)shoff + link * shentsize + 0x18);
                long vn = secOff;
                for (int n = 0; n < count && vn > 0 && vn + 16 <= b.Length; n++)
                {
                    int cnt = BitConverter.ToUInt16(b, (int)vn + 2);
                    long aux = vn + BitConverter.ToUInt32(b, (int)vn + 8);
                    for (int a = 0; a < cnt && aux + 16 <= b.Length; a++)
                    {
                        long name = strOff + BitConverter.ToUInt32(b, (int)aux + 8);
                        if (ReadCString(b, name) == version) found.Add((int)aux + 4);
                        uint next = BitConverter.ToUInt32(b, (int)aux + 12);
                        if (next == 0) break;
                        aux += next;
                    }
                    uint vnNext = BitConverter.ToUInt32(b, (int)vn + 12);
                    if (vnNext == 0) break;
                    vn += vnNext;
                }
            }
            return found;
        }

        private static string ReadCString(byte[] b, long at)
        {
            if (at < 0 || at >= b.Length) return string.Empty;
            int end = (int)at;
            while (end < b.Length && b[end] != 0) end++;
            return Encoding.ASCII.GetString(b, (int)at, end - (int)at);
        }

        /// <summary>
        /// Whether the libstdc++ this process uses (or, at build time, the system's) defines
        /// <paramref name="version"/>. Prefers the copy already mapped into the process.
        /// </summary>
        public static bool LibStdCxxDefines(string version)
        {
            string? lib = LoadedLibStdCxx();
            var candidates = new List<string>();
            if (lib != null) candidates.Add(lib);
            else
                foreach (string dir in new[] { "/lib/x86_64-linux-gnu", "/usr/lib/x86_64-linux-gnu", "/lib/aarch64-linux-gnu",
                                               "/usr/lib/aarch64-linux-gnu", "/usr/lib64", "/lib64", "/usr/lib", "/lib" })
                {
                    string p = Path.Combine(dir, "libstdc++.so.6");
                    if (File.Exists(p)) { candidates.Add(p); break; }
                }
            if (candidates.Count == 0) return false;
            byte[] needle = Encoding.ASCII.GetBytes(version + "\0");
            return IndexOf(File.ReadAllBytes(candidates[0]), needle) >= 0;
        }

        private static string? LoadedLibStdCxx()
        {
            try
            {
                foreach (string line in File.ReadLines("/proc/self/maps"))
                {
                    int at = line.IndexOf('/');
                    if (at >= 0 && line.IndexOf("libstdc++.so", StringComparison.Ordinal) >= 0) return line.Substring(at).Trim();
                }
            }
            catch (IOException) { }
            catch (UnauthorizedAccessException) { }
            return null;
        }

        private static int IndexOf(byte[] hay, byte[] needle)
        {
            for (int i = 0; i + needle.Length <= hay.Length; i++)
            {
                if (hay[i] != needle[0]) continue;
                int j = 1;
                while (j < needle.Length && hay[i + j] == needle[j]) j++;
                if (j == needle.Length) return i;
            }
            return -1;
        }
    }
#if TANUKI_LIBRARY
}
#else

/// <summary>MSBuild task: makes every libLibTorchSharp.so under the given folders loadable here.</summary>
public class TanukiPatchLibTorchSharp : Microsoft.Build.Utilities.Task
{
    /// <summary>Folders to search (output and publish folders).</summary>
    [Microsoft.Build.Framework.Required]
    public string[] Folders { get; set; } = Array.Empty<string>();

    /// <inheritdoc />
    public override bool Execute()
    {
        if (ElfVersionPatch.LibStdCxxDefines(ElfVersionPatch.GlibcxxVersion))
        {
            Log.LogMessage(Microsoft.Build.Framework.MessageImportance.Low,
                "Tanuki: the system libstdc++ defines " + ElfVersionPatch.GlibcxxVersion + "; nothing to patch.");
            return true;
        }
        foreach (string folder in Folders)
        {
            if (string.IsNullOrEmpty(folder) || !Directory.Exists(folder)) continue;
            foreach (string file in Directory.EnumerateFiles(folder, "libLibTorchSharp.so", SearchOption.AllDirectories))
            {
                try
                {
                    ElfPatchResult r = ElfVersionPatch.MakeWeak(file, ElfVersionPatch.GlibcxxVersion, dryRun: false);
                    Log.LogMessage(Microsoft.Build.Framework.MessageImportance.Normal, "Tanuki: " + file + ": " + r);
                }
                catch (Exception e)
                {
                    Log.LogWarning("Tanuki: could not make " + file + " loadable with this system's libstdc++ (" + e.Message +
                        "). TorchSharp will fail to load; make the file writable and build again.");
                }
            }
        }
        return true;
    }
}
#endif
