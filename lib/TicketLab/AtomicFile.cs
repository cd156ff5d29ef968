namespace TicketLab;

/// <summary>Writes files so a reader sees the old content or the new, never a half-written file.</summary>
public static class AtomicFile
{
    /// <summary>Writes to a temporary file beside <paramref name="path"/>, then renames it over the target.</summary>
    public static void WriteAllBytes(string path, ReadOnlySpan<byte> bytes)
    {
        var tmp = TempPath(path);
        try
        {
            using (var stream = new FileStream(tmp, FileMode.CreateNew, FileAccess.Write))
            {
                stream.Write(bytes);
                stream.Flush(flushToDisk: true);
            }
            File.Move(tmp, path, overwrite: true);
        }
        finally
        {
            if (File.Exists(tmp)) File.Delete(tmp);
        }
    }

    /// <summary>Text version of <see cref="WriteAllBytes"/> (UTF-8, no byte-order mark).</summary>
    public static void WriteAllText(string path, string text) =>
        WriteAllBytes(path, new System.Text.UTF8Encoding(false).GetBytes(text));

    /// <summary>Lets <paramref name="write"/> fill a temporary file, then renames it over <paramref name="path"/>.</summary>
    public static void Write(string path, Action<string> write)
    {
        var tmp = TempPath(path);
        try
        {
            write(tmp);
            File.Move(tmp, path, overwrite: true);
        }
        finally
        {
            if (File.Exists(tmp)) File.Delete(tmp);
        }
    }

    /// <summary>Creates <paramref name="folder"/> if needed and writes and deletes a probe file in it; throws <see cref="IOException"/> or <see cref="UnauthorizedAccessException"/> when that fails.</summary>
    public static void ProbeWritable(string folder)
    {
        Directory.CreateDirectory(folder);
        var probe = Path.Combine(folder, $".write-probe.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp");
        File.WriteAllBytes(probe, [1]);
        File.Delete(probe);
    }

    static string TempPath(string path)
    {
        var dir = Path.GetDirectoryName(Path.GetFullPath(path))!;
        Directory.CreateDirectory(dir);
        return Path.Combine(dir, $".{Path.GetFileName(path)}.{Environment.ProcessId}.{Guid.NewGuid():N}.tmp");
    }
}
