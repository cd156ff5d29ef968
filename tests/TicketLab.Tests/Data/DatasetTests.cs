using System.Net;
using TicketLab.Data;

namespace TicketLab.Tests.Data;

public class DatasetTests
{
    static readonly DataOptions Embedded = new(Source: DataSource.Embedded);

    [Fact]
    public void Embedded_subset_has_the_documented_shape_and_balance()
    {
        var data = Datasets.Load(Embedded);
        Assert.Equal(10 * Datasets.EmbeddedTrainPerClass, data.Train.Count);
        Assert.Equal(10 * Datasets.EmbeddedTestPerClass, data.Test.Count);
        Assert.Equal((28, 28), (data.Train.Rows, data.Train.Columns));
        Assert.All(data.Train.ClassCounts(), c => Assert.Equal(Datasets.EmbeddedTrainPerClass, c));
        Assert.All(data.Test.ClassCounts(), c => Assert.Equal(Datasets.EmbeddedTestPerClass, c));
        Assert.Equal("T-shirt/top", data.Info.ClassNames[0]);
        // Fashion-MNIST pixels: mean ~0.286, std ~0.353 (Xiao et al. 2017 report these for the training set).
        Assert.InRange(data.PixelMean, 0.26, 0.31);
        Assert.InRange(data.PixelStd, 0.33, 0.37);
    }

    [Fact]
    public void Full_set_matches_its_published_checksums_and_counts()
    {
        var data = Datasets.Load(new DataOptions());
        Assert.Equal(60_000, data.Train.Count);
        Assert.Equal(10_000, data.Test.Count);
        Assert.All(data.Train.ClassCounts(), c => Assert.Equal(6000, c));
        Assert.All(data.Test.ClassCounts(), c => Assert.Equal(1000, c));
    }

    [Fact]
    public void Embedded_subset_is_the_first_images_of_each_class_of_the_full_set()
    {
        var full = Datasets.Load(new DataOptions());
        var embedded = Datasets.Load(Embedded);
        var expected = full.Train.BalancedSubset(Datasets.EmbeddedTrainPerClass);
        Assert.Equal(expected.Labels, embedded.Train.Labels);
        Assert.Equal(expected.Pixels, embedded.Train.Pixels);
        Assert.Equal(full.Test.BalancedSubset(Datasets.EmbeddedTestPerClass).Pixels, embedded.Test.Pixels);
    }

    [Fact]
    public void Per_class_limits_are_applied_in_file_order()
    {
        var data = Datasets.Load(Embedded with { TrainPerClass = 3, TestPerClass = 2 });
        Assert.Equal(30, data.Train.Count);
        Assert.Equal(20, data.Test.Count);
        Assert.All(data.Train.ClassCounts(), c => Assert.Equal(3, c));
    }

    [Fact]
    public void A_missing_dataset_says_how_to_get_it()
    {
        using var temp = TestSetup.Temp();
        var e = Assert.Throws<DatasetNotFoundException>(() => Datasets.Load(new DataOptions(Folder: temp.Path)));
        Assert.Contains(temp.Path, e.Message);
        Assert.Contains("apt-get install dataset-fashion-mnist", e.Message);
        Assert.Contains("train-images-idx3-ubyte.gz", e.Message);
        Assert.Contains(DatasetCatalog.FashionMnist.DownloadBaseUrl, e.Message);
        Assert.Contains("DataSource.Embedded", e.Message);
    }

    [Fact]
    public void A_data_variable_that_points_nowhere_is_an_error_not_a_fall_back()
    {
        using var temp = TestSetup.Temp();
        Assert.Null(Datasets.DataFolderFromEnvironment(null));
        Assert.Null(Datasets.DataFolderFromEnvironment(""));
        Assert.Equal(temp.Path, Datasets.DataFolderFromEnvironment(temp.Path));
        var missing = temp["no-such-folder"];
        var error = Assert.Throws<DatasetNotFoundException>(() => Datasets.DataFolderFromEnvironment(missing));
        Assert.Contains("TICKETLAB_DATA", error.Message);
        Assert.Contains(missing, error.Message);
    }

    [Fact]
    public void A_corrupt_file_is_reported_with_its_name_and_checksum()
    {
        using var temp = TestSetup.Temp();
        CopyEmbeddedAsRaw(temp.Path);
        var labels = temp["train-labels-idx1-ubyte"];
        var bytes = File.ReadAllBytes(labels);
        bytes[100] = (byte)((bytes[100] + 1) % 10);
        File.WriteAllBytes(labels, bytes);
        var e = Assert.Throws<InvalidDataException>(() => LoadEmbeddedFrom(temp.Path));
        Assert.Contains(labels, e.Message);
        Assert.Contains("SHA-256", e.Message);
    }

    [Fact]
    public void A_truncated_file_is_reported_as_truncated()
    {
        using var temp = TestSetup.Temp();
        CopyEmbeddedAsRaw(temp.Path);
        var images = temp["t10k-images-idx3-ubyte"];
        var bytes = File.ReadAllBytes(images);
        File.WriteAllBytes(images, bytes[..(bytes.Length - 784)]);
        var e = Assert.Throws<InvalidDataException>(() => LoadEmbeddedFrom(temp.Path));
        Assert.Contains(images, e.Message);
        Assert.Contains("truncated", e.Message);
    }

    [Fact]
    public void Bad_options_name_the_field()
    {
        var e = Assert.Throws<ArgumentOutOfRangeException>(() => Datasets.Load(Embedded with { TrainPerClass = 0 }));
        Assert.Equal("TrainPerClass", e.ParamName);
        Assert.Contains("at least 1", e.Message);
        Assert.Contains("no embedded subset", Assert.Throws<DatasetNotFoundException>(() =>
            Datasets.Load(new DataOptions(DatasetName.Mnist, DataSource.Embedded))).Message);
    }

    [Fact]
    public void A_download_is_verified_before_it_is_written()
    {
        using var temp = TestSetup.Temp();
        var info = DatasetCatalog.FashionMnist;
        // A server that answers every file with the wrong content: nothing may be written.
        using var wrong = new HttpClient(new FakeServer(_ => Idx.Serialize(new IdxArray([1], [7]))));
        var e = Assert.Throws<InvalidDataException>(() => Datasets.Download(info, temp.Path, wrong));
        Assert.Contains("nothing was written", e.Message);
        Assert.Empty(Directory.GetFiles(temp.Path));
        // A server that answers with the published files (served from wherever the full set is found).
        var source = Datasets.Load(new DataOptions()).Origin;
        var folder = Directory.Exists(info.DebianFolder) ? info.DebianFolder : Datasets.CacheFolder(info);
        using var right = new HttpClient(new FakeServer(name => File.ReadAllBytes(Path.Combine(folder, name))));
        Datasets.Download(info, temp.Path, right);
        Assert.Equal(4, Directory.GetFiles(temp.Path, "*.gz").Length);
        Assert.Empty(Directory.GetFiles(temp.Path, ".*"));
        Assert.Equal(60_000, Datasets.Load(new DataOptions(Folder: temp.Path)).Train.Count);
        Assert.NotNull(source);
    }

    static void CopyEmbeddedAsRaw(string target)
    {
        foreach (var file in Directory.GetFiles(Datasets.EmbeddedFolder(DatasetCatalog.FashionMnist), "*.gz"))
            File.WriteAllBytes(Path.Combine(target, Path.GetFileNameWithoutExtension(file)), Idx.Decompressed(File.ReadAllBytes(file)));
    }

    /// <summary>The embedded subset's files, read from another folder (checked against the embedded checksums).</summary>
    static LabeledData LoadEmbeddedFrom(string folder)
    {
        var info = DatasetCatalog.FashionMnist with
        {
            TrainImages = DatasetCatalog.FashionMnist.Embedded![0],
            TrainLabels = DatasetCatalog.FashionMnist.Embedded[1],
            TestImages = DatasetCatalog.FashionMnist.Embedded[2],
            TestLabels = DatasetCatalog.FashionMnist.Embedded[3],
        };
        return Datasets.Load(info, new DataOptions(Folder: folder));
    }

    sealed class FakeServer(Func<string, byte[]> content) : HttpMessageHandler
    {
        protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
            Task.FromResult(new HttpResponseMessage(HttpStatusCode.OK) { Content = new ByteArrayContent(content(Path.GetFileName(request.RequestUri!.AbsolutePath))) });
    }
}
