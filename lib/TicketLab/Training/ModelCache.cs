using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using TicketLab.Nets;

namespace TicketLab.Training;

/// <summary>
/// Stores nets under <c>data/cache/models/&lt;key&gt;/</c>, where the key hashes everything that determines them.
/// Files are written atomically; a manifest written last lists their SHA-256 and that of the recorded result, so a torn
/// or corrupt entry, in any of its files or fields, is detected before anything is read from it and retrained. Temporary
/// files left by a writer that was killed are removed by the next run that opens the entry.
/// </summary>
public static class ModelCache
{
    const string ManifestName = "manifest.json";
    static readonly JsonSerializerOptions Json = new() { WriteIndented = true, NumberHandling = System.Text.Json.Serialization.JsonNumberHandling.AllowNamedFloatingPointLiterals };

    /// <summary>A stable key (hex) for any JSON-serializable description of a run.</summary>
    public static string Key(object description) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(JsonSerializer.Serialize(description, Json))))[..16];

    /// <summary>The folder of entry <paramref name="key"/>.</summary>
    public static string Folder(string key) => Path.Combine(ProjectPaths.Cache, "models", key);

    /// <summary>Saves named nets and a result record as one entry (overwriting any previous one).</summary>
    public static void Save<TResult, TNet>(string key, IReadOnlyDictionary<string, TNet> nets, TResult result) where TNet : TorchSharp.torch.nn.Module
    {
        var folder = Folder(key);
        Directory.CreateDirectory(folder);
        RemoveAbandonedTemporaries(folder);
        var manifestPath = Path.Combine(folder, ManifestName);
        if (File.Exists(manifestPath)) File.Delete(manifestPath);
        var hashes = new Dictionary<string, string>();
        foreach (var (name, net) in nets)
        {
            var path = Path.Combine(folder, name + ".bin");
            AtomicFile.Write(path, tmp => net.save(tmp));
            hashes[name] = Sha256(path);
        }
        var element = JsonSerializer.SerializeToElement(result, Json);
        var manifest = new Manifest(hashes, element, Sha256Text(JsonSerializer.Serialize(element)));
        AtomicFile.WriteAllText(manifestPath, JsonSerializer.Serialize(manifest, Json));
    }

    /// <summary>
    /// Loads entry <paramref name="key"/> into freshly built nets; returns null and a note when the entry is missing
    /// or fails its checksums (the note names the file and the defect).
    /// </summary>
    public static (TResult Result, Dictionary<string, Mlp> Nets)? TryLoad<TResult>(
        string key, IReadOnlyDictionary<string, Func<Mlp>> build, out string note) => TryLoad<TResult, Mlp>(key, build, out note);

    /// <summary><see cref="TryLoad{TResult}"/> for any kind of net.</summary>
    public static (TResult Result, Dictionary<string, TNet> Nets)? TryLoad<TResult, TNet>(
        string key, IReadOnlyDictionary<string, Func<TNet>> build, out string note) where TNet : TorchSharp.torch.nn.Module
    {
        var folder = Folder(key);
        var manifestPath = Path.Combine(folder, ManifestName);
        if (Directory.Exists(folder)) RemoveAbandonedTemporaries(folder);
        if (!File.Exists(manifestPath))
        {
            note = $"no cached entry {key}";
            return null;
        }
        Manifest? manifest;
        try
        {
            manifest = JsonSerializer.Deserialize<Manifest>(File.ReadAllText(manifestPath), Json);
        }
        catch (JsonException e)
        {
            note = $"cache manifest '{manifestPath}' is corrupt ({e.Message})";
            return null;
        }
        if (manifest is null || manifest.Sha256 is null)
        {
            note = $"cache manifest '{manifestPath}' is empty";
            return null;
        }
        if (manifest.ResultSha256 is null || manifest.Result.ValueKind == JsonValueKind.Undefined || Sha256Text(JsonSerializer.Serialize(manifest.Result)) != manifest.ResultSha256)
        {
            note = $"cache manifest '{manifestPath}' is corrupt (its recorded result does not match the result's SHA-256)";
            return null;
        }
        TResult? result;
        try
        {
            result = manifest.Result.Deserialize<TResult>(Json);
        }
        catch (JsonException e)
        {
            note = $"cache manifest '{manifestPath}' holds a malformed result ({e.Message})";
            return null;
        }
        if (result is null)
        {
            note = $"cache manifest '{manifestPath}' holds no result";
            return null;
        }
        foreach (var name in build.Keys)
        {
            var path = Path.Combine(folder, name + ".bin");
            if (!manifest.Sha256.TryGetValue(name, out var expected) || !File.Exists(path))
            {
                note = $"cache entry {key} lacks '{name}.bin'";
                return null;
            }
            var actual = Sha256(path);
            if (actual != expected)
            {
                note = $"cache file '{path}' is corrupt (SHA-256 {actual[..12]}..., manifest says {expected[..12]}...)";
                return null;
            }
        }
        var nets = new Dictionary<string, TNet>();
        foreach (var (name, factory) in build)
        {
            var net = factory();
            net.load(Path.Combine(folder, name + ".bin"));
            nets[name] = net;
        }
        note = $"loaded from cache entry {key}";
        return (result, nets);
    }

    /// <summary>
    /// Throws <see cref="IOException"/> naming the folder and TICKETLAB_CACHE when entry <paramref name="key"/> cannot be
    /// written, so that a run fails before it trains what it could not keep.
    /// </summary>
    public static void CheckWritable(string key) => CheckWritableFolder(Folder(key));

    /// <summary><see cref="CheckWritable"/> for a given entry folder.</summary>
    public static void CheckWritableFolder(string folder)
    {
        try
        {
            AtomicFile.ProbeWritable(folder);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new IOException($"the model cache '{folder}' cannot be written ({e.Message}); make it writable, or point TICKETLAB_CACHE at a folder that is.", e);
        }
    }

    /// <summary>Deletes temporary files of this folder whose writer process is gone (a killed write; AtomicFile names them .NAME.PID.GUID.tmp).</summary>
    static void RemoveAbandonedTemporaries(string folder)
    {
        foreach (var path in Directory.EnumerateFiles(folder, ".*.tmp"))
        {
            var parts = Path.GetFileName(path).Split('.');
            if (parts.Length < 4 || !int.TryParse(parts[^3], out var pid) || IsRunning(pid)) continue;
            try { File.Delete(path); }
            catch (IOException) { /* another cleaner got it first */ }
        }
    }

    static bool IsRunning(int pid)
    {
        try
        {
            using var process = System.Diagnostics.Process.GetProcessById(pid);
            return !process.HasExited;
        }
        catch (ArgumentException)
        {
            return false;
        }
    }

    static string Sha256Text(string text) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(text)));

    static string Sha256(string path)
    {
        using var stream = File.OpenRead(path);
        return Convert.ToHexStringLower(SHA256.HashData(stream));
    }

    sealed record Manifest(Dictionary<string, string> Sha256, JsonElement Result, string? ResultSha256);
}
