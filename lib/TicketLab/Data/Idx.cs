using System.Buffers.Binary;
using System.IO.Compression;

namespace TicketLab.Data;

/// <summary>An n-dimensional array of unsigned bytes as stored in an IDX file (LeCun's MNIST format).</summary>
public sealed record IdxArray(int[] Dimensions, byte[] Values)
{
    /// <summary>Number of items along the first dimension.</summary>
    public int Count => Dimensions[0];
}

/// <summary>Reads and writes IDX files of unsigned bytes, raw or gzip-compressed, validating every header field.</summary>
public static class Idx
{
    const byte UnsignedByteType = 0x08;

    /// <summary>Reads a whole IDX file (gzip detected by its magic bytes); throws <see cref="InvalidDataException"/> naming the file on any defect.</summary>
    public static IdxArray Read(string path)
    {
        if (!File.Exists(path)) throw new FileNotFoundException($"IDX file '{path}' does not exist.", path);
        byte[] bytes;
        try
        {
            bytes = Decompressed(File.ReadAllBytes(path));
        }
        catch (InvalidDataException e)
        {
            throw new InvalidDataException($"IDX file '{path}' is corrupt: its gzip stream cannot be decompressed ({e.Message}).", e);
        }
        catch (EndOfStreamException e)
        {
            throw new InvalidDataException($"IDX file '{path}' is truncated: its gzip stream ends early.", e);
        }
        return Parse(bytes, path);
    }

    /// <summary>The decompressed content of a file's bytes: gunzipped when they start with the gzip magic, else as given.</summary>
    public static byte[] Decompressed(byte[] bytes)
    {
        if (bytes.Length < 2 || bytes[0] != 0x1f || bytes[1] != 0x8b) return bytes;
        using var gzip = new GZipStream(new MemoryStream(bytes), CompressionMode.Decompress);
        using var output = new MemoryStream();
        gzip.CopyTo(output);
        return output.ToArray();
    }

    /// <summary>Parses decompressed IDX bytes; <paramref name="source"/> names them in error messages.</summary>
    public static IdxArray Parse(byte[] bytes, string source)
    {
        if (bytes.Length < 4)
            throw new InvalidDataException($"IDX file '{source}' is truncated: {bytes.Length} bytes, fewer than the 4-byte magic number.");
        if (bytes[0] != 0 || bytes[1] != 0)
            throw new InvalidDataException(
                $"IDX file '{source}' has a wrong magic number 0x{bytes[0]:x2}{bytes[1]:x2}{bytes[2]:x2}{bytes[3]:x2}: an IDX file starts with two zero bytes.");
        if (bytes[2] != UnsignedByteType)
            throw new InvalidDataException($"IDX file '{source}' holds element type 0x{bytes[2]:x2}; only unsigned bytes (0x08) are supported.");
        int rank = bytes[3];
        if (rank == 0)
            throw new InvalidDataException($"IDX file '{source}' declares 0 dimensions; at least 1 is required.");
        var headerLength = 4 + 4 * rank;
        if (bytes.Length < headerLength)
            throw new InvalidDataException($"IDX file '{source}' is truncated inside its header ({bytes.Length} of {headerLength} bytes).");
        var dims = new int[rank];
        long expected = 1;
        for (var i = 0; i < rank; i++)
        {
            dims[i] = BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(4 + 4 * i));
            if (dims[i] <= 0)
                throw new InvalidDataException($"IDX file '{source}' declares dimension {i} as {dims[i]}; dimensions must be positive.");
            expected *= dims[i];
        }
        long actual = bytes.Length - headerLength;
        if (actual < expected)
            throw new InvalidDataException(
                $"IDX file '{source}' is truncated or its header is wrong: the header declares {rank} dimensions ({string.Join("x", dims)}), which promise {expected} data bytes, and the file holds {actual} after the header"
                + " (a wrong dimension count makes data bytes read as sizes).");
        if (actual > expected)
            throw new InvalidDataException(
                $"IDX file '{source}' is corrupt or its header is wrong: {actual - expected} bytes follow the {expected} data bytes that its {rank} declared dimensions ({string.Join("x", dims)}) promise.");
        return new IdxArray(dims, bytes.AsSpan(headerLength).ToArray());
    }

    /// <summary>Serializes an unsigned-byte array in IDX layout (big-endian dimensions).</summary>
    public static byte[] Serialize(IdxArray array)
    {
        long expected = array.Dimensions.Aggregate(1L, (a, d) => a * d);
        if (array.Dimensions.Length is 0 or > 255 || expected != array.Values.Length)
            throw new ArgumentException(
                $"dimensions {string.Join("x", array.Dimensions)} do not match {array.Values.Length} values.", nameof(array));
        var bytes = new byte[4 + 4 * array.Dimensions.Length + array.Values.Length];
        bytes[2] = UnsignedByteType;
        bytes[3] = (byte)array.Dimensions.Length;
        for (var i = 0; i < array.Dimensions.Length; i++)
            BinaryPrimitives.WriteInt32BigEndian(bytes.AsSpan(4 + 4 * i), array.Dimensions[i]);
        array.Values.CopyTo(bytes.AsSpan(4 + 4 * array.Dimensions.Length));
        return bytes;
    }

    /// <summary>Writes an IDX file atomically, gzip-compressed when <paramref name="gzip"/> is set.</summary>
    public static void Write(string path, IdxArray array, bool gzip)
    {
        var raw = Serialize(array);
        if (!gzip)
        {
            AtomicFile.WriteAllBytes(path, raw);
            return;
        }
        using var output = new MemoryStream();
        using (var stream = new GZipStream(output, CompressionLevel.SmallestSize, leaveOpen: true))
            stream.Write(raw);
        AtomicFile.WriteAllBytes(path, output.ToArray());
    }
}
