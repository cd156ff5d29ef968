using System.Formats.Tar;
using System.IO.Compression;
using TicketLab.Data;

namespace TicketLab.Tests.Data;

public class Cifar10Tests
{
    /// <summary>A tiny synthetic set: <paramref name="perClass"/> images per class, each pixel a function of image, channel and position.</summary>
    static ImageSet Synthetic(int perClass, int offset = 0)
    {
        var count = perClass * 10;
        var pixels = new byte[count * Cifar10.RecordBytes - count];
        var labels = new byte[count];
        for (var i = 0; i < count; i++)
        {
            labels[i] = (byte)(i % 10);
            for (var p = 0; p < 3 * 32 * 32; p++) pixels[i * 3072 + p] = (byte)((i + offset) * 7 + p * 13);
        }
        return new ImageSet(pixels, labels, 32, 32, Cifar10.ClassNames, 3);
    }

    static string WriteBinaryArchive(TempFolder temp, ImageSet train, ImageSet test, Func<byte[], byte[]>? tamperTest = null)
    {
        var path = temp["cifar-10-binary.tar.gz"];
        using var file = File.Create(path);
        using var gzip = new GZipStream(file, CompressionLevel.Fastest);
        using var writer = new TarWriter(gzip, TarEntryFormat.Ustar);
        var per = train.Count / Cifar10.TrainBatches.Length;
        for (var b = 0; b < Cifar10.TrainBatches.Length; b++)
        {
            var part = train with { Pixels = train.Pixels[(b * per * 3072)..((b + 1) * per * 3072)], Labels = train.Labels[(b * per)..((b + 1) * per)] };
            writer.WriteEntry(new UstarTarEntry(TarEntryType.RegularFile, $"cifar-10-batches-bin/{Cifar10.TrainBatches[b]}") { DataStream = new MemoryStream(Cifar10.EncodeBinaryBatch(part)) });
        }
        var testBytes = Cifar10.EncodeBinaryBatch(test);
        writer.WriteEntry(new UstarTarEntry(TarEntryType.RegularFile, $"cifar-10-batches-bin/{Cifar10.TestBatch}") { DataStream = new MemoryStream(tamperTest?.Invoke(testBytes) ?? testBytes) });
        return path;
    }

    [Fact]
    public void The_binary_reader_reads_a_tiny_synthetic_release_back_exactly()
    {
        using var temp = TestSetup.Temp();
        var train = Synthetic(5);
        var test = Synthetic(1, offset: 1000);
        var path = WriteBinaryArchive(temp, train, test);
        var (readTrain, readTest) = Cifar10.ReadBinaryArchive(path, Cifar10.Sha256(path), recordsPerBatch: 10);
        Assert.Equal(train.Pixels, readTrain.Pixels);
        Assert.Equal(train.Labels, readTrain.Labels);
        Assert.Equal(test.Pixels, readTest.Pixels);
        Assert.Equal((3, 32, 32), (readTest.Channels, readTest.Rows, readTest.Columns));
        // The record layout: label byte, then 1,024 red, 1,024 green and 1,024 blue bytes.
        var bytes = Cifar10.EncodeBinaryBatch(test);
        Assert.Equal(test.Labels[3], bytes[3 * 3073]);
        Assert.Equal(test.Image(3)[1024], bytes[3 * 3073 + 1 + 1024]);
    }

    [Fact]
    public void A_truncated_batch_and_a_wrong_checksum_are_refused_by_name()
    {
        using var temp = TestSetup.Temp();
        var path = WriteBinaryArchive(temp, Synthetic(5), Synthetic(1), tamper => tamper[..^100]);
        var truncated = Assert.Throws<InvalidDataException>(() => Cifar10.ReadBinaryArchive(path, null, recordsPerBatch: null));
        Assert.Contains("test_batch.bin", truncated.Message);
        Assert.Contains("truncated", truncated.Message);

        var good = WriteBinaryArchive(temp, Synthetic(5), Synthetic(1));
        var wrong = Assert.Throws<InvalidDataException>(() => Cifar10.ReadBinaryArchive(good, Cifar10.OfficialSha256, recordsPerBatch: null));
        Assert.Contains(good, wrong.Message);
        Assert.Contains(Cifar10.OfficialSha256, wrong.Message);

        var wrongCount = Assert.Throws<InvalidDataException>(() => Cifar10.ParseBinaryBatch(Cifar10.EncodeBinaryBatch(Synthetic(1)), "data_batch_1.bin", Cifar10.RecordsPerBatch));
        Assert.Contains("data_batch_1.bin", wrongCount.Message);
        var badLabel = Cifar10.EncodeBinaryBatch(Synthetic(1));
        badLabel[0] = 10;
        Assert.Contains("label 10", Assert.Throws<InvalidDataException>(() => Cifar10.ParseBinaryBatch(badLabel, "x.bin")).Message);
    }

    static byte[] Png(byte value)
    {
        var rgb = Enumerable.Range(0, 32 * 32 * 3).Select(i => (byte)(value + i % 3)).ToArray();
        using var stream = new MemoryStream();
        new StbImageWriteSharp.ImageWriter().WritePng(rgb, 32, 32, StbImageWriteSharp.ColorComponents.RedGreenBlue, stream);
        return stream.ToArray();
    }

    static void WriteFolder(string root, Func<string, string> classFolder, int perClass)
    {
        foreach (var split in new[] { "train", "test" })
            for (var c = 0; c < 10; c++)
            {
                var folder = Path.Combine(root, split, classFolder(Cifar10.ClassNames[c]));
                Directory.CreateDirectory(folder);
                for (var i = 0; i < perClass; i++) File.WriteAllBytes(Path.Combine(folder, $"{i:D4}.png"), Png((byte)(10 * c + i)));
            }
    }

    [Fact]
    public void The_image_folder_reader_takes_odd_class_folders_and_skips_what_is_not_an_image()
    {
        using var temp = TestSetup.Temp();
        var root = temp["cifar10"];
        // Class folders in any case; a hidden folder, a macOS resource folder and a text file beside the images.
        WriteFolder(root, name => name == "automobile" ? "Automobile" : name == "truck" ? "TRUCK" : name, perClass: 2);
        Directory.CreateDirectory(Path.Combine(root, "train", ".cache"));
        File.WriteAllBytes(Path.Combine(root, "train", ".cache", "0000.png"), Png(1));
        Directory.CreateDirectory(Path.Combine(root, "__MACOSX", "train", "cat"));
        File.WriteAllBytes(Path.Combine(root, "__MACOSX", "train", "cat", "0000.png"), Png(1));
        File.WriteAllText(Path.Combine(root, "train", "cat", "README.txt"), "not an image");
        File.WriteAllText(Path.Combine(root, "train", "labels.csv"), "file,label");
        var (train, test) = Cifar10.ReadImageFolder(root);
        Assert.Equal(20, train.Count);
        Assert.Equal(20, test.Count);
        Assert.All(train.ClassCounts(), n => Assert.Equal(2, n));
        // Automobile's first image (value 10, channel 0 = red) decoded losslessly, channel by channel.
        var first = Enumerable.Range(0, train.Count).First(i => train.Labels[i] == Cifar10.Automobile);
        Assert.Equal(10, train.Image(first)[0]);
        Assert.Equal(11, train.Image(first)[1024]);
        Assert.Equal(12, train.Image(first)[2048]);
    }

    [Fact]
    public void The_image_folder_reader_names_an_empty_class_an_unknown_class_and_a_wrong_size()
    {
        using var temp = TestSetup.Temp();
        var root = temp["empty"];
        WriteFolder(root, n => n, perClass: 1);
        foreach (var f in Directory.GetFiles(Path.Combine(root, "test", "frog"))) File.Delete(f);
        var empty = Assert.Throws<InvalidDataException>(() => Cifar10.ReadImageFolder(root));
        Assert.Contains("frog", empty.Message);
        Assert.Contains("test/", empty.Message);

        var unknown = temp["unknown"];
        WriteFolder(unknown, n => n, perClass: 1);
        Directory.CreateDirectory(Path.Combine(unknown, "train", "car"));
        File.WriteAllBytes(Path.Combine(unknown, "train", "car", "0000.png"), Png(3));
        Assert.Contains("'car'", Assert.Throws<InvalidDataException>(() => Cifar10.ReadImageFolder(unknown)).Message);

        var size = temp["size"];
        WriteFolder(size, n => n, perClass: 1);
        using (var stream = File.Create(Path.Combine(size, "train", "dog", "0000.png")))
            new StbImageWriteSharp.ImageWriter().WritePng(new byte[16 * 16 * 3], 16, 16, StbImageWriteSharp.ColorComponents.RedGreenBlue, stream);
        var wrong = Assert.Throws<InvalidDataException>(() => Cifar10.ReadImageFolder(size));
        Assert.Contains("16x16", wrong.Message);
        Assert.Contains("0000.png", wrong.Message);
    }

    [Fact]
    public void The_committed_subset_has_its_checksum_shape_and_balance()
    {
        Assert.Equal(Cifar10.EmbeddedSha256, Cifar10.Sha256(Cifar10.EmbeddedPath));
        var data = Cifar10.Load(new CifarOptions(Source: DataSource.Embedded));
        Assert.Equal(10 * Cifar10.EmbeddedTrainPerClass, data.Train.Count);
        Assert.Equal(10 * Cifar10.EmbeddedTestPerClass, data.Test.Count);
        Assert.All(data.Test.ClassCounts(), n => Assert.Equal(Cifar10.EmbeddedTestPerClass, n));
        Assert.Contains("JPEG", data.Caveat);
        // CIFAR-10's channel means are about 0.49, 0.48, 0.45.
        Assert.InRange(data.Mean[0], 0.44, 0.54);
        Assert.InRange(data.Mean[2], 0.40, 0.50);
    }

    [Fact]
    public void The_committed_subset_is_the_first_images_of_each_class_of_the_full_copy_when_it_is_here()
    {
        var folder = Datasets.DataFolderFromEnvironment(Environment.GetEnvironmentVariable(Datasets.DataVariable));
        var archive = folder is null ? null : Path.Combine(folder, Cifar10.JpegArchive);
        if (archive is null || !File.Exists(archive)) return; // no copy on this machine: the checksum test above still holds the subset fixed
        using var temp = TestSetup.Temp();
        Assert.Equal(Cifar10.EmbeddedSha256, Cifar10.WriteEmbedded(archive, temp["subset.tar.gz"]));
    }
}
