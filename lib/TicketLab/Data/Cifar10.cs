using System.Formats.Tar;
using System.IO.Compression;
using System.Security.Cryptography;
using StbImageSharp;

namespace TicketLab.Data;

/// <summary>What to load of CIFAR-10. Defaults: the full set, found or downloaded, every image.</summary>
/// <param name="Source">The committed subset, or the full set.</param>
/// <param name="Path">A file or folder to read first: the official <c>cifar-10-binary.tar.gz</c>, its extracted
/// <c>cifar-10-batches-bin</c> folder, or an ImageFolder copy (<c>train/&lt;class&gt;/*.jpg|png</c> and <c>test/…</c>) as a folder or a <c>.tar.gz</c>.</param>
/// <param name="AllowDownload">Whether a missing full set may be downloaded from its authors' page into <c>data/cache/</c>.</param>
/// <param name="TrainPerClass">Keep only the first this-many training images of each class (null: all).</param>
/// <param name="TestPerClass">Keep only the first this-many test images of each class (null: all).</param>
public sealed record CifarOptions(
    DataSource Source = DataSource.Full,
    string? Path = null,
    bool AllowDownload = true,
    int? TrainPerClass = null,
    int? TestPerClass = null)
{
    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> naming the first invalid field.</summary>
    public CifarOptions Validate()
    {
        if (!Enum.IsDefined(Source)) throw new ArgumentOutOfRangeException(nameof(Source), Source, "accepted: Embedded, Full");
        if (TrainPerClass is < 1) throw new ArgumentOutOfRangeException(nameof(TrainPerClass), TrainPerClass, "accepted: null (all) or at least 1");
        if (TestPerClass is < 1) throw new ArgumentOutOfRangeException(nameof(TestPerClass), TestPerClass, "accepted: null (all) or at least 1");
        return this;
    }
}

/// <summary>
/// CIFAR-10 as loaded: training and test images (3 x 32 x 32, channel by channel), which copy they came from, and the
/// training set's per-channel pixel statistics.
/// </summary>
/// <param name="Train">Training images (50,000 in the full set).</param>
/// <param name="Test">Test images (10,000 in the full set).</param>
/// <param name="Copy">Which copy: the official binary release, an ImageFolder copy (say which), or the committed subset.</param>
/// <param name="Origin">Where it was read from (a file, a folder, or the variable that named it).</param>
/// <param name="Caveat">What a reader must know about this copy when comparing numbers (empty for the official release).</param>
/// <param name="Mean">Per-channel pixel mean of the training images, in [0, 1].</param>
/// <param name="Std">Per-channel pixel standard deviation of the training images.</param>
public sealed record CifarData(ImageSet Train, ImageSet Test, string Copy, string Origin, string Caveat, double[] Mean, double[] Std)
{
    /// <summary>The counts and sources, without the pixels.</summary>
    public DataSummary Summary() =>
        new("CIFAR-10", $"{Copy}, from {Origin}", Train.Count, Test.Count, $"{Train.Rows}x{Train.Columns}x{Train.Channels}", Train.ClassNames.Count, Cifar10.Licence);

    /// <summary>A one-line description for tables and logs.</summary>
    public override string ToString() =>
        $"CIFAR-10 ({Copy}): {Train.Count} training and {Test.Count} test images of {Train.Rows}x{Train.Columns} RGB, from {Origin}";
}

/// <summary>
/// Reads CIFAR-10 (Krizhevsky 2009): the official binary release (checked against its published SHA-256, downloaded once
/// into <c>data/cache/</c>), an ImageFolder copy of JPEG or PNG files (a folder or a <c>.tar.gz</c>, decoded with
/// StbImageSharp), or the subset committed under <c>data/embedded/</c>. A truncated or corrupt file is an error that
/// names it; nothing is returned half-read.
/// </summary>
/// <remarks>
/// TorchSharp's TorchVision package reads the binary layout too (<c>torchvision.datasets.CIFAR10</c>), but as a dataset
/// of per-image tensors behind its own download, and it neither checks the archive's checksum nor names a truncated batch.
/// The suite needs the whole set as bytes (balanced subsets, halves, image grids) and those errors, and the layout is one
/// label byte and 3,072 pixel bytes per record, so it is read here.
/// </remarks>
public static class Cifar10
{
    /// <summary>The ten classes, in label order.</summary>
    public static readonly string[] ClassNames = ["airplane", "automobile", "bird", "cat", "deer", "dog", "frog", "horse", "ship", "truck"];

    /// <summary>Label of "automobile".</summary>
    public const int Automobile = 1;
    /// <summary>Label of "truck".</summary>
    public const int Truck = 9;

    /// <summary>Image side in pixels.</summary>
    public const int Side = 32;
    /// <summary>Colour channels.</summary>
    public const int Channels = 3;
    /// <summary>Bytes of one record of the binary release: one label byte, then 1,024 red, 1,024 green and 1,024 blue bytes.</summary>
    public const int RecordBytes = 1 + Channels * Side * Side;
    /// <summary>Records in each batch file of the binary release.</summary>
    public const int RecordsPerBatch = 10_000;

    /// <summary>The official binary release on its authors' page.</summary>
    public const string OfficialUrl = "https://www.cs.toronto.edu/~kriz/cifar-10-binary.tar.gz";
    /// <summary>File name of the official binary release.</summary>
    public const string OfficialArchive = "cifar-10-binary.tar.gz";
    /// <summary>SHA-256 of the official binary release (its page publishes the MD5, c32a1d4ab5d03f1284b67883e8d87530).</summary>
    public const string OfficialSha256 = "c4a38c50a1bc5f3a1c5537f2155ab9d68f9f25eb1ed8d9ddda3db29a59bca1dd";
    /// <summary>Size of the official binary release in bytes.</summary>
    public const long OfficialBytes = 170_052_171;
    /// <summary>The folder inside the release (and its name when extracted).</summary>
    public const string BatchesFolder = "cifar-10-batches-bin";
    /// <summary>The training batch files of the release, in order.</summary>
    public static readonly string[] TrainBatches = ["data_batch_1.bin", "data_batch_2.bin", "data_batch_3.bin", "data_batch_4.bin", "data_batch_5.bin"];
    /// <summary>The test batch file of the release.</summary>
    public const string TestBatch = "test_batch.bin";

    /// <summary>File name of the known ImageFolder archive (a public JPEG re-encoding of all 60,000 images).</summary>
    public const string JpegArchive = "cifar10-jpeg.tar.gz";
    /// <summary>SHA-256 of that archive, as its provider gives it.</summary>
    public const string JpegArchiveSha256 = "8d8437376819a5c304d3ecf515adfc156354815e7f0e7ff4df922fd55cf502ce";
    /// <summary>Folder name under which an ImageFolder copy is also looked for.</summary>
    public const string ImageFolderName = "cifar10";

    /// <summary>The committed subset: the first 100 training and 50 test JPEG files of each class of <see cref="JpegArchive"/>, unchanged.</summary>
    public const string EmbeddedArchive = "cifar10-small.tar.gz";
    /// <summary>SHA-256 of the committed subset's archive.</summary>
    public const string EmbeddedSha256 = "96503c5c765a6217eef1593a533f915ed7b9a5d7255e4e37d7316f21d2403178";
    /// <summary>Training images per class in the committed subset.</summary>
    public const int EmbeddedTrainPerClass = 100;
    /// <summary>Test images per class in the committed subset.</summary>
    public const int EmbeddedTestPerClass = 50;

    /// <summary>Licence and citation.</summary>
    public const string Licence = "distributed by its authors for research use; cite Krizhevsky (2009), Learning Multiple Layers of Features from Tiny Images";

    const string JpegCaveat = "a JPEG re-encoding (quality about 75), not the official binary release: pixels differ slightly, so accuracies can differ by a point or so from numbers on the official set";

    /// <summary>The committed subset's archive.</summary>
    public static string EmbeddedPath => System.IO.Path.Combine(ProjectPaths.Data, "embedded", EmbeddedArchive);

    /// <summary>Where downloads and extracted copies go.</summary>
    public static string CacheFolder => ProjectPaths.Cache;

    /// <summary>Loads what <paramref name="options"/> asks for.</summary>
    public static CifarData Load(CifarOptions? options = null, HttpClient? http = null)
    {
        options = (options ?? new CifarOptions()).Validate();
        var (train, test, copy, origin, caveat) = options.Source == DataSource.Embedded
            ? ReadEmbedded()
            : LocateFull(options, http);
        if (options.TrainPerClass is { } tr) train = train.BalancedSubset(tr);
        if (options.TestPerClass is { } te) test = test.BalancedSubset(te);
        var (mean, std) = train.ChannelStatistics();
        return new CifarData(train, test, copy, origin, caveat, mean, std);
    }

    /// <summary>The ways to obtain the full set, for error messages.</summary>
    public static string HowToGet() =>
        $"To get it: download {OfficialUrl} ({OfficialBytes:N0} bytes, SHA-256 {OfficialSha256}) into {System.IO.Path.Combine(CacheFolder, OfficialArchive)} "
        + "(the suite does this itself when downloads are allowed); or pass CifarOptions(Path: ...) naming that archive, its extracted "
        + $"{BatchesFolder} folder, or an ImageFolder copy (train/<class>/*.jpg and test/<class>/*.jpg, as a folder or a .tar.gz); or set "
        + $"{Datasets.DataVariable} to a folder holding one of {OfficialArchive}, {BatchesFolder}/, {JpegArchive} or {ImageFolderName}/; "
        + "or use the committed subset with CifarOptions(Source: DataSource.Embedded).";

    static (ImageSet, ImageSet, string, string, string) ReadEmbedded()
    {
        var path = EmbeddedPath;
        if (!File.Exists(path))
            throw new DatasetNotFoundException($"The committed CIFAR-10 subset '{path}' is missing; restore it with 'git checkout -- data/embedded/{EmbeddedArchive}'.");
        var (train, test) = ReadImageFolderArchive(path, EmbeddedSha256.Length > 0 ? EmbeddedSha256 : null);
        return (train, test, $"the committed subset of the JPEG copy ({EmbeddedTrainPerClass} training and {EmbeddedTestPerClass} test images per class)",
            $"data/embedded/{EmbeddedArchive}", JpegCaveat);
    }

    static (ImageSet, ImageSet, string, string, string) LocateFull(CifarOptions options, HttpClient? http)
    {
        if (options.Path is { } named)
        {
            if (!File.Exists(named) && !Directory.Exists(named))
                throw new DatasetNotFoundException($"CIFAR-10: CifarOptions.Path is '{named}', which is neither a file nor a folder. {HowToGet()}");
            return ReadAny(named, named);
        }
        var searched = new List<string>();
        var roots = new List<(string Folder, string Label)>();
        if (Datasets.DataFolderFromEnvironment(Environment.GetEnvironmentVariable(Datasets.DataVariable)) is { } env) roots.Add((env, Datasets.DataVariable));
        roots.Add((CacheFolder, "data/cache"));
        foreach (var (root, label) in roots)
            foreach (var name in new[] { OfficialArchive, BatchesFolder, JpegArchive, ImageFolderName })
            {
                var candidate = System.IO.Path.Combine(root, name);
                searched.Add(candidate);
                if (File.Exists(candidate) || Directory.Exists(candidate)) return ReadAny(candidate, $"{label} ({name})");
            }
        if (!options.AllowDownload)
            throw new DatasetNotFoundException($"CIFAR-10 was not found ({string.Join(", ", searched)}) and downloads are off. {HowToGet()}");
        var target = System.IO.Path.Combine(CacheFolder, OfficialArchive);
        try
        {
            Download(target, http);
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException or IOException)
        {
            throw new DatasetNotFoundException($"CIFAR-10 was not found ({string.Join(", ", searched)}), and downloading {OfficialUrl} failed ({e.Message}). {HowToGet()}", e);
        }
        return ReadAny(target, $"a download from {OfficialUrl}");
    }

    /// <summary>Reads the official archive, an extracted batches folder, or an ImageFolder copy (folder or .tar.gz), by what is there.</summary>
    static (ImageSet, ImageSet, string, string, string) ReadAny(string path, string origin)
    {
        const string official = "the official binary release";
        if (Directory.Exists(path))
        {
            var batches = Directory.Exists(System.IO.Path.Combine(path, BatchesFolder)) ? System.IO.Path.Combine(path, BatchesFolder) : path;
            if (File.Exists(System.IO.Path.Combine(batches, TestBatch)))
            {
                var (train, test) = ReadBinaryFolder(batches);
                return (train, test, official + " (extracted batch files)", origin, "");
            }
            var (tr, te) = ReadImageFolder(path);
            return (tr, te, $"an ImageFolder copy ('{System.IO.Path.GetFileName(path)}')", origin, "decoded from image files; if they are JPEG, " + JpegCaveat);
        }
        if (IsBinaryArchive(path))
        {
            var (train, test) = ReadBinaryArchive(path, System.IO.Path.GetFileName(path) == OfficialArchive ? OfficialSha256 : null, RecordsPerBatch);
            return (train, test, official, origin, "");
        }
        var known = System.IO.Path.GetFileName(path) == JpegArchive;
        var (a, b) = ReadImageFolderArchive(path, known ? JpegArchiveSha256 : null);
        return known
            ? (a, b, $"the JPEG re-encoding {JpegArchive} (ImageFolder layout, SHA-256 {JpegArchiveSha256[..12]}…)", origin, JpegCaveat)
            : (a, b, $"an ImageFolder archive ('{System.IO.Path.GetFileName(path)}')", origin, "decoded from image files; if they are JPEG, " + JpegCaveat);
    }

    /// <summary>Whether a .tar.gz holds the binary release's batch files (by its entry names).</summary>
    static bool IsBinaryArchive(string path)
    {
        if (System.IO.Path.GetFileName(path) == OfficialArchive) return true;
        using var reader = OpenTar(path, out var gzip);
        using var _ = gzip;
        for (var i = 0; i < 8 && TryNext(reader, path) is { } entry; i++)
            if (entry.Name.EndsWith(".bin", StringComparison.Ordinal)) return true;
        return false;
    }

    /// <summary>
    /// Parses records of the binary layout: a whole number of <see cref="RecordBytes"/>-byte records (exactly
    /// <paramref name="expectedRecords"/> when given), labels 0 to 9. Returns the pixels (channel by channel) and labels.
    /// </summary>
    public static (byte[] Pixels, byte[] Labels) ParseBinaryBatch(ReadOnlySpan<byte> bytes, string name, int? expectedRecords = null)
    {
        if (bytes.Length == 0 || bytes.Length % RecordBytes != 0)
            throw new InvalidDataException($"CIFAR-10 batch '{name}' is truncated or not a batch file: {bytes.Length:N0} bytes is not a whole number of {RecordBytes:N0}-byte records"
                + (expectedRecords is { } e ? $" (a batch of the release holds {e:N0} records, {(long)e * RecordBytes:N0} bytes)" : "") + ". Delete it and get it again.");
        var records = bytes.Length / RecordBytes;
        if (expectedRecords is { } expected && records != expected)
            throw new InvalidDataException($"CIFAR-10 batch '{name}' holds {records:N0} records; a batch of the release holds {expected:N0}. It is truncated or a different file; delete it and get it again.");
        var pixels = new byte[records * (RecordBytes - 1)];
        var labels = new byte[records];
        for (var r = 0; r < records; r++)
        {
            var record = bytes.Slice(r * RecordBytes, RecordBytes);
            if (record[0] >= ClassNames.Length)
                throw new InvalidDataException($"CIFAR-10 batch '{name}': record {r} has label {record[0]}, outside 0..{ClassNames.Length - 1}; the file is corrupt.");
            labels[r] = record[0];
            record[1..].CopyTo(pixels.AsSpan(r * (RecordBytes - 1)));
        }
        return (pixels, labels);
    }

    /// <summary>Encodes images in the binary layout (for tests and for writing subsets).</summary>
    public static byte[] EncodeBinaryBatch(ImageSet set)
    {
        if (set.Channels != Channels || set.Rows != Side || set.Columns != Side)
            throw new ArgumentException($"the set holds {set.Channels}x{set.Rows}x{set.Columns} images; accepted: {Channels}x{Side}x{Side}.", nameof(set));
        var bytes = new byte[set.Count * RecordBytes];
        for (var i = 0; i < set.Count; i++)
        {
            bytes[i * RecordBytes] = set.Labels[i];
            set.Image(i).CopyTo(bytes.AsSpan(i * RecordBytes + 1));
        }
        return bytes;
    }

    /// <summary>Reads the five training batches and the test batch from an extracted <c>cifar-10-batches-bin</c> folder.</summary>
    public static (ImageSet Train, ImageSet Test) ReadBinaryFolder(string folder)
    {
        var files = TrainBatches.Append(TestBatch).Select(f => System.IO.Path.Combine(folder, f)).ToList();
        if (files.FirstOrDefault(f => !File.Exists(f)) is { } missing)
            throw new DatasetNotFoundException($"CIFAR-10: '{missing}' is missing from the batches folder '{folder}'. {HowToGet()}");
        var parsed = files.Select(f => ParseBinaryBatch(File.ReadAllBytes(f), f, RecordsPerBatch)).ToList();
        return (Concat(parsed.Take(TrainBatches.Length)), Concat(parsed.Skip(TrainBatches.Length)));
    }

    /// <summary>
    /// Reads the binary release from its <c>.tar.gz</c>, first checking the archive's SHA-256 when <paramref name="sha256"/>
    /// is given; <paramref name="recordsPerBatch"/> is the record count every batch must hold (null: any whole number).
    /// </summary>
    public static (ImageSet Train, ImageSet Test) ReadBinaryArchive(string path, string? sha256, int? recordsPerBatch)
    {
        if (sha256 is not null) Verify(path, sha256);
        var found = new Dictionary<string, (byte[], byte[])>();
        using (var reader = OpenTar(path, out var gzip))
        using (gzip)
        {
            while (TryNext(reader, path) is { } entry)
            {
                var file = System.IO.Path.GetFileName(entry.Name);
                if (entry.EntryType is not (TarEntryType.RegularFile or TarEntryType.V7RegularFile) || entry.DataStream is null) continue;
                if (!TrainBatches.Contains(file) && file != TestBatch) continue;
                found[file] = ParseBinaryBatch(ReadAll(entry.DataStream, entry.Length, $"{path}: {entry.Name}"), $"{path}: {entry.Name}", recordsPerBatch);
            }
        }
        if (TrainBatches.Append(TestBatch).FirstOrDefault(f => !found.ContainsKey(f)) is { } absent)
            throw new InvalidDataException($"CIFAR-10 archive '{path}' holds no {BatchesFolder}/{absent}: it is truncated or not the binary release. Delete it and get it again.");
        return (Concat(TrainBatches.Select(f => found[f])), Concat([found[TestBatch]]));
    }

    /// <summary>
    /// Reads an ImageFolder copy from a folder: <c>train/&lt;class&gt;/</c> and <c>test/&lt;class&gt;/</c>, PNG or JPEG files of
    /// 32 x 32 RGB. Class folders are matched to the ten names ignoring case; hidden folders (a leading '.' or "__") and
    /// files that are not .jpg, .jpeg or .png are skipped; an unknown class folder, a class with no images, or an image that
    /// does not decode to 32 x 32 is an error naming it. Within a class, files are taken in ordinal name order.
    /// </summary>
    public static (ImageSet Train, ImageSet Test) ReadImageFolder(string folder)
    {
        var entries = new List<(string Split, string Class, string File, Func<byte[]> Read)>();
        foreach (var path in Directory.EnumerateFiles(folder, "*", SearchOption.AllDirectories))
        {
            var relative = System.IO.Path.GetRelativePath(folder, path).Replace('\\', '/');
            if (Place(relative) is { } place) entries.Add((place.Split, place.Class, relative, () => File.ReadAllBytes(path)));
        }
        return Assemble(entries, folder);
    }

    /// <summary>
    /// Reads an ImageFolder copy packed as a <c>.tar.gz</c> (entries <c>[prefix/]train/&lt;class&gt;/&lt;file&gt;</c> and
    /// <c>…/test/…</c>), first checking its SHA-256 when <paramref name="sha256"/> is given. The rules of
    /// <see cref="ReadImageFolder"/> apply.
    /// </summary>
    public static (ImageSet Train, ImageSet Test) ReadImageFolderArchive(string path, string? sha256)
    {
        if (sha256 is not null) Verify(path, sha256);
        var entries = new List<(string Split, string Class, string File, Func<byte[]> Read)>();
        using (var reader = OpenTar(path, out var gzip))
        using (gzip)
        {
            while (TryNext(reader, path) is { } entry)
            {
                if (entry.EntryType is not (TarEntryType.RegularFile or TarEntryType.V7RegularFile) || entry.DataStream is null) continue;
                if (Place(entry.Name) is not { } place) continue;
                var bytes = ReadAll(entry.DataStream, entry.Length, $"{path}: {entry.Name}");
                entries.Add((place.Split, place.Class, entry.Name, () => bytes));
            }
        }
        return Assemble(entries, path);
    }

    /// <summary>The split and class folder of an entry path, or null when it is not an image file under train/ or test/.</summary>
    static (string Split, string Class)? Place(string relative)
    {
        var parts = relative.Replace('\\', '/').Split('/', StringSplitOptions.RemoveEmptyEntries).Where(p => p != ".").ToArray();
        var at = Array.FindLastIndex(parts, p => p is "train" or "test");
        if (at < 0 || parts.Length != at + 3) return null;
        if (parts.Any(p => p.StartsWith('.') || p.StartsWith("__", StringComparison.Ordinal))) return null;
        var extension = System.IO.Path.GetExtension(parts[^1]).ToLowerInvariant();
        if (extension is not (".jpg" or ".jpeg" or ".png")) return null;
        return (parts[at], parts[at + 1]);
    }

    static (ImageSet Train, ImageSet Test) Assemble(List<(string Split, string Class, string File, Func<byte[]> Read)> entries, string source)
    {
        var unknown = entries.Select(e => e.Class).Distinct().Where(c => !ClassNames.Contains(c, StringComparer.OrdinalIgnoreCase)).Order(StringComparer.Ordinal).ToList();
        if (unknown.Count > 0)
            throw new InvalidDataException($"CIFAR-10 ImageFolder '{source}' has class folder(s) {string.Join(", ", unknown.Select(u => $"'{u}'"))}; accepted: {string.Join(", ", ClassNames)} (any case).");
        ImageSet Build(string split)
        {
            var chosen = entries.Where(e => e.Split == split)
                .Select(e => (Label: Array.FindIndex(ClassNames, n => string.Equals(n, e.Class, StringComparison.OrdinalIgnoreCase)), e.File, e.Read))
                .OrderBy(e => e.Label).ThenBy(e => e.File, StringComparer.Ordinal).ToList();
            var counts = new int[ClassNames.Length];
            foreach (var e in chosen) counts[e.Label]++;
            var empty = Enumerable.Range(0, ClassNames.Length).Where(c => counts[c] == 0).Select(c => ClassNames[c]).ToList();
            if (empty.Count == ClassNames.Length)
                throw new InvalidDataException($"CIFAR-10 ImageFolder '{source}' has no images under {split}/; accepted: {split}/<class>/<image>.jpg|.jpeg|.png.");
            if (empty.Count > 0)
                throw new InvalidDataException($"CIFAR-10 ImageFolder '{source}': class(es) {string.Join(", ", empty)} have no images under {split}/; accepted: at least one image of every class.");
            var plane = Channels * Side * Side;
            var pixels = new byte[chosen.Count * plane];
            var labels = new byte[chosen.Count];
            try
            {
                Parallel.For(0, chosen.Count, i =>
                {
                    Decode(chosen[i].Read(), $"{source}: {chosen[i].File}", pixels.AsSpan(i * plane, plane));
                    labels[i] = (byte)chosen[i].Label;
                });
            }
            catch (AggregateException e) when (e.Flatten().InnerExceptions.FirstOrDefault() is InvalidDataException bad)
            {
                // The image that failed, by name, not a wrapper of the parallel loop.
                System.Runtime.ExceptionServices.ExceptionDispatchInfo.Capture(bad).Throw();
            }
            return new ImageSet(pixels, labels, Side, Side, ClassNames, Channels);
        }
        return (Build("train"), Build("test"));
    }

    /// <summary>Decodes one PNG or JPEG of 32 x 32 pixels into RGB bytes, channel by channel.</summary>
    public static void Decode(byte[] file, string name, Span<byte> target)
    {
        ImageResult image;
        try
        {
            image = ImageResult.FromMemory(file, ColorComponents.RedGreenBlue);
        }
        catch (Exception e) when (e is InvalidOperationException or ArgumentException or IndexOutOfRangeException or NullReferenceException)
        {
            throw new InvalidDataException($"CIFAR-10 image '{name}' cannot be decoded ({e.Message}); accepted: a PNG or JPEG of {Side}x{Side} pixels.", e);
        }
        if (image.Width != Side || image.Height != Side)
            throw new InvalidDataException($"CIFAR-10 image '{name}' is {image.Width}x{image.Height} pixels; accepted: {Side}x{Side}.");
        var data = image.Data;
        const int plane = Side * Side;
        for (var p = 0; p < plane; p++)
            for (var c = 0; c < Channels; c++)
                target[c * plane + p] = data[p * Channels + c];
    }

    /// <summary>
    /// Writes the committed subset: the first <see cref="EmbeddedTrainPerClass"/> training and <see cref="EmbeddedTestPerClass"/>
    /// test files of each class (ordinal name order) of an ImageFolder archive, byte for byte, into a new <c>.tar.gz</c> with
    /// fixed entry times (the same source gives the same file). Returns its SHA-256.
    /// </summary>
    public static string WriteEmbedded(string sourceArchive, string target)
    {
        var chosen = new SortedDictionary<string, byte[]>(StringComparer.Ordinal);
        var taken = new Dictionary<(string, string), List<(string Name, byte[] Bytes)>>();
        using (var reader = OpenTar(sourceArchive, out var gzip))
        using (gzip)
        {
            while (TryNext(reader, sourceArchive) is { } entry)
            {
                if (entry.EntryType is not (TarEntryType.RegularFile or TarEntryType.V7RegularFile) || entry.DataStream is null) continue;
                if (Place(entry.Name) is not { } place) continue;
                var key = (place.Split, place.Class.ToLowerInvariant());
                if (!taken.TryGetValue(key, out var list)) taken[key] = list = [];
                list.Add((entry.Name, ReadAll(entry.DataStream, entry.Length, entry.Name)));
            }
        }
        foreach (var ((split, _), list) in taken)
            foreach (var (name, bytes) in list.OrderBy(e => e.Name, StringComparer.Ordinal).Take(split == "train" ? EmbeddedTrainPerClass : EmbeddedTestPerClass))
            {
                var parts = name.Split('/', StringSplitOptions.RemoveEmptyEntries);
                chosen[string.Join('/', parts[^3..])] = bytes;
            }
        AtomicFile.Write(target, tmp =>
        {
            using var file = File.Create(tmp);
            using var gzip = new GZipStream(file, CompressionLevel.SmallestSize);
            using var writer = new TarWriter(gzip, TarEntryFormat.Ustar);
            foreach (var (name, bytes) in chosen)
                writer.WriteEntry(new UstarTarEntry(TarEntryType.RegularFile, name)
                {
                    DataStream = new MemoryStream(bytes),
                    ModificationTime = new DateTimeOffset(2009, 4, 8, 0, 0, 0, TimeSpan.Zero),
                    Mode = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.GroupRead | UnixFileMode.OtherRead,
                });
        });
        return Sha256(target);
    }

    /// <summary>
    /// Downloads the official binary release to <paramref name="target"/>: streamed to a temporary file, checked against its
    /// published SHA-256, then renamed into place; a failed or wrong download leaves nothing behind.
    /// </summary>
    public static void Download(string target, HttpClient? http = null)
    {
        var client = http ?? new HttpClient { Timeout = TimeSpan.FromMinutes(30) };
        try
        {
            AtomicFile.Write(target, tmp =>
            {
                using (var response = client.GetAsync(OfficialUrl, HttpCompletionOption.ResponseHeadersRead).GetAwaiter().GetResult().EnsureSuccessStatusCode())
                using (var body = response.Content.ReadAsStream())
                using (var file = File.Create(tmp))
                    body.CopyTo(file);
                var actual = Sha256(tmp);
                if (actual != OfficialSha256)
                    throw new InvalidDataException($"The download of {OfficialUrl} has SHA-256 {actual}, not the published {OfficialSha256}; nothing was written.");
            });
        }
        finally
        {
            if (http is null) client.Dispose();
        }
    }

    /// <summary>SHA-256 (lower-case hex) of a file.</summary>
    public static string Sha256(string path)
    {
        using var stream = File.OpenRead(path);
        return Convert.ToHexStringLower(SHA256.HashData(stream));
    }

    static void Verify(string path, string sha256)
    {
        var actual = Sha256(path);
        if (actual != sha256)
            throw new InvalidDataException($"CIFAR-10 archive '{path}' has SHA-256 {actual}, not the expected {sha256}: it is corrupt, truncated or a different file. Delete it and get it again.");
    }

    static TarReader OpenTar(string path, out GZipStream gzip)
    {
        gzip = new GZipStream(File.OpenRead(path), CompressionMode.Decompress);
        return new TarReader(gzip);
    }

    static TarEntry? TryNext(TarReader reader, string path)
    {
        try
        {
            return reader.GetNextEntry();
        }
        catch (Exception e) when (e is InvalidDataException or EndOfStreamException or FormatException)
        {
            throw new InvalidDataException($"CIFAR-10 archive '{path}' is corrupt or truncated ({e.Message}). Delete it and get it again.", e);
        }
    }

    static byte[] ReadAll(Stream stream, long length, string name)
    {
        var bytes = new byte[length];
        try
        {
            stream.ReadExactly(bytes);
        }
        catch (Exception e) when (e is InvalidDataException or EndOfStreamException)
        {
            throw new InvalidDataException($"CIFAR-10 archive entry '{name}' is truncated or corrupt ({e.Message}). Delete the archive and get it again.", e);
        }
        return bytes;
    }

    static ImageSet Concat(IEnumerable<(byte[] Pixels, byte[] Labels)> parts)
    {
        var list = parts.ToList();
        return new ImageSet(list.SelectMany(p => p.Pixels).ToArray(), list.SelectMany(p => p.Labels).ToArray(), Side, Side, ClassNames, Channels);
    }
}
