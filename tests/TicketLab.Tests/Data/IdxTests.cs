using System.IO.Compression;
using TicketLab.Data;

namespace TicketLab.Tests.Data;

public class IdxTests
{
    static readonly IdxArray Sample = new([3, 2, 2], Enumerable.Range(0, 12).Select(i => (byte)(i * 7)).ToArray());

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void Round_trips_raw_and_gzip(bool gzip)
    {
        using var temp = TestSetup.Temp();
        var path = temp["a.idx"];
        Idx.Write(path, Sample, gzip);
        var read = Idx.Read(path);
        Assert.Equal(Sample.Dimensions, read.Dimensions);
        Assert.Equal(Sample.Values, read.Values);
        Assert.Equal(gzip, File.ReadAllBytes(path)[0] == 0x1f);
    }

    [Fact]
    public void Header_is_big_endian_as_published()
    {
        var bytes = Idx.Serialize(new IdxArray([2, 1], [5, 6]));
        Assert.Equal(new byte[] { 0, 0, 8, 2, 0, 0, 0, 2, 0, 0, 0, 1, 5, 6 }, bytes);
    }

    [Fact]
    public void Truncated_data_is_rejected_with_counts()
    {
        var bytes = Idx.Serialize(Sample);
        var e = Assert.Throws<InvalidDataException>(() => Idx.Parse(bytes[..^3], "x.idx"));
        Assert.Contains("x.idx", e.Message);
        Assert.Contains("truncated", e.Message);
        Assert.Contains("12 data bytes", e.Message);
        Assert.Contains("holds 9", e.Message);
    }

    [Fact]
    public void Truncated_header_is_rejected()
    {
        var bytes = Idx.Serialize(Sample);
        Assert.Contains("inside its header", Assert.Throws<InvalidDataException>(() => Idx.Parse(bytes[..9], "x")).Message);
        Assert.Contains("fewer than the 4-byte magic", Assert.Throws<InvalidDataException>(() => Idx.Parse(bytes[..2], "x")).Message);
    }

    [Fact]
    public void Trailing_bytes_are_rejected()
    {
        var bytes = Idx.Serialize(Sample).Concat(new byte[] { 1, 2 }).ToArray();
        Assert.Contains("2 bytes follow", Assert.Throws<InvalidDataException>(() => Idx.Parse(bytes, "x")).Message);
    }

    [Fact]
    public void Wrong_magic_and_type_are_rejected()
    {
        var bytes = Idx.Serialize(Sample);
        var wrongMagic = (byte[])bytes.Clone();
        wrongMagic[0] = 0x42;
        Assert.Contains("wrong magic number 0x42", Assert.Throws<InvalidDataException>(() => Idx.Parse(wrongMagic, "x")).Message);
        var wrongType = (byte[])bytes.Clone();
        wrongType[2] = 0x0D;
        Assert.Contains("element type 0x0d", Assert.Throws<InvalidDataException>(() => Idx.Parse(wrongType, "x")).Message);
        var zeroDim = (byte[])bytes.Clone();
        zeroDim[7] = 0;
        Assert.Contains("dimension 0 as 0", Assert.Throws<InvalidDataException>(() => Idx.Parse(zeroDim, "x")).Message);
    }

    [Fact]
    public void Corrupt_and_truncated_gzip_files_name_the_file()
    {
        using var temp = TestSetup.Temp();
        var path = temp["b.idx.gz"];
        Idx.Write(path, new IdxArray([4000], Enumerable.Range(0, 4000).Select(i => (byte)(i * 31 % 251)).ToArray()), gzip: true);
        var good = File.ReadAllBytes(path);
        File.WriteAllBytes(path, good[..(good.Length / 2)]);
        var truncated = Assert.Throws<InvalidDataException>(() => Idx.Read(path));
        Assert.Contains(path, truncated.Message);
        var corrupt = (byte[])good.Clone();
        for (var i = 20; i < 60; i++) corrupt[i] ^= 0xA5;
        File.WriteAllBytes(path, corrupt);
        var e = Assert.Throws<InvalidDataException>(() => Idx.Read(path));
        Assert.Contains(path, e.Message);
    }

    [Fact]
    public void Missing_file_is_named()
    {
        var e = Assert.Throws<FileNotFoundException>(() => Idx.Read("/nonexistent/file.idx"));
        Assert.Contains("/nonexistent/file.idx", e.Message);
    }

    [Fact]
    public void Gzip_detection_does_not_depend_on_the_file_name()
    {
        using var temp = TestSetup.Temp();
        var path = temp["plain-name"];
        using (var output = File.Create(path))
        using (var gzip = new GZipStream(output, CompressionLevel.Fastest))
            gzip.Write(Idx.Serialize(Sample));
        Assert.Equal(Sample.Values, Idx.Read(path).Values);
    }
}
