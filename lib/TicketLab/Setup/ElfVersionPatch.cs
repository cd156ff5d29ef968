using System.Buffers.Binary;
using System.Text;

namespace TicketLab.Setup;

/// <summary>
/// Marks one symbol-version requirement of an ELF shared library as weak (VER_FLG_WEAK in SHT_GNU_verneed),
/// so that ld.so loads it on a system whose library lacks that version (ELF gABI, "Symbol Versioning").
/// </summary>
public static class ElfVersionPatch
{
    const uint ShtGnuVerneed = 0x6ffffffe;
    const ushort VerFlgWeak = 0x2;

    /// <summary>What <see cref="MarkWeak"/> did.</summary>
    public enum Outcome
    {
        /// <summary>The flag was set and the file rewritten.</summary>
        Patched,
        /// <summary>The requirement had the requested flag already; the file is unchanged.</summary>
        AlreadyWeak,
        /// <summary>The file requires no such version; the file is unchanged.</summary>
        NotRequired,
    }

    /// <summary>Sets VER_FLG_WEAK on every requirement named <paramref name="versionName"/>; writes atomically.</summary>
    public static Outcome MarkWeak(string path, string versionName) => SetWeak(path, versionName, weak: true);

    /// <summary>Clears VER_FLG_WEAK again (restores the shipped state; used by tests and to undo <see cref="MarkWeak"/>).</summary>
    public static Outcome ClearWeak(string path, string versionName) => SetWeak(path, versionName, weak: false);

    static Outcome SetWeak(string path, string versionName, bool weak)
    {
        var bytes = File.ReadAllBytes(path);
        var offsets = FindRequirements(bytes, versionName, path);
        if (offsets.Count == 0) return Outcome.NotRequired;
        var changed = false;
        foreach (var flagsOffset in offsets)
        {
            var flags = BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan(flagsOffset));
            if (((flags & VerFlgWeak) != 0) == weak) continue;
            BinaryPrimitives.WriteUInt16LittleEndian(bytes.AsSpan(flagsOffset), (ushort)(weak ? flags | VerFlgWeak : flags & ~VerFlgWeak));
            changed = true;
        }
        if (!changed) return Outcome.AlreadyWeak;
        AtomicFile.WriteAllBytes(path, bytes);
        return Outcome.Patched;
    }

    /// <summary>The version requirements (name, weak?) an ELF64 little-endian shared library declares.</summary>
    public static IReadOnlyList<(string Name, bool Weak)> Requirements(string path)
    {
        var bytes = File.ReadAllBytes(path);
        return Walk(bytes, path).Select(r => (r.Name, (BinaryPrimitives.ReadUInt16LittleEndian(bytes.AsSpan(r.FlagsOffset)) & VerFlgWeak) != 0)).ToList();
    }

    static List<int> FindRequirements(byte[] bytes, string versionName, string path) =>
        Walk(bytes, path).Where(r => r.Name == versionName).Select(r => r.FlagsOffset).ToList();

    static IEnumerable<(string Name, int FlagsOffset)> Walk(byte[] elf, string path)
    {
        if (elf.Length < 64 || elf[0] != 0x7f || elf[1] != (byte)'E' || elf[2] != (byte)'L' || elf[3] != (byte)'F')
            throw new InvalidDataException($"'{path}' is not an ELF file (bad magic number).");
        if (elf[4] != 2 || elf[5] != 1)
            throw new InvalidDataException($"'{path}' is not a 64-bit little-endian ELF file (class {elf[4]}, data {elf[5]}).");
        var span = elf.AsSpan();
        var shoff = checked((int)BinaryPrimitives.ReadUInt64LittleEndian(span[0x28..]));
        var shentsize = BinaryPrimitives.ReadUInt16LittleEndian(span[0x3A..]);
        var shnum = BinaryPrimitives.ReadUInt16LittleEndian(span[0x3C..]);
        if (shoff <= 0 || (long)shoff + (long)shentsize * shnum > elf.Length)
            throw new InvalidDataException($"'{path}' is truncated: its section headers lie past the end of the file.");
        var result = new List<(string, int)>();
        for (var i = 0; i < shnum; i++)
        {
            var sh = span[(shoff + i * shentsize)..];
            if (BinaryPrimitives.ReadUInt32LittleEndian(sh[4..]) != ShtGnuVerneed) continue;
            var secOffset = checked((int)BinaryPrimitives.ReadUInt64LittleEndian(sh[0x18..]));
            var link = BinaryPrimitives.ReadUInt32LittleEndian(sh[0x28..]);
            var count = BinaryPrimitives.ReadUInt32LittleEndian(sh[0x2C..]);
            var strSh = span[(shoff + (int)link * shentsize)..];
            var strOffset = checked((int)BinaryPrimitives.ReadUInt64LittleEndian(strSh[0x18..]));
            var need = secOffset;
            for (var n = 0; n < count; n++)
            {
                var auxCount = BinaryPrimitives.ReadUInt16LittleEndian(span[(need + 2)..]);
                var aux = need + (int)BinaryPrimitives.ReadUInt32LittleEndian(span[(need + 8)..]);
                for (var a = 0; a < auxCount; a++)
                {
                    var nameOffset = strOffset + (int)BinaryPrimitives.ReadUInt32LittleEndian(span[(aux + 8)..]);
                    var end = Array.IndexOf(elf, (byte)0, nameOffset);
                    if (end < 0) throw new InvalidDataException($"'{path}' is corrupt: an unterminated version name.");
                    result.Add((Encoding.ASCII.GetString(elf, nameOffset, end - nameOffset), aux + 4));
                    var nextAux = BinaryPrimitives.ReadUInt32LittleEndian(span[(aux + 12)..]);
                    if (nextAux == 0) break;
                    aux += (int)nextAux;
                }
                var next = BinaryPrimitives.ReadUInt32LittleEndian(span[(need + 12)..]);
                if (next == 0) break;
                need += (int)next;
            }
        }
        return result;
    }
}
