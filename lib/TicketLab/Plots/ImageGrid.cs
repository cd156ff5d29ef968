using System.Net;
using TicketLab.Cars;
using TicketLab.Data;

namespace TicketLab.Plots;

/// <summary>
/// A grid of small images as one PNG (encoded by StbImageWriteSharp) with a caption: shown inline in a notebook and on the
/// site as an &lt;img&gt; with a data URL, so it needs no file beside the page.
/// </summary>
/// <param name="Caption">What the images are.</param>
/// <param name="Png">The PNG bytes.</param>
/// <param name="Width">Pixel width of the PNG.</param>
/// <param name="Height">Pixel height of the PNG.</param>
[TypeFormatterSource(typeof(ImageGridFormatterSource), PreferredMimeTypes = ["text/html", "text/plain"])]
public sealed record ImageGrid(string Caption, byte[] Png, int Width, int Height)
{
    /// <summary>
    /// Tiles images <paramref name="indices"/> of <paramref name="images"/> (RGB or grey, channels first) in rows of
    /// <paramref name="columns"/>, each enlarged <paramref name="scale"/> times (nearest neighbour) with a 2-pixel white gap.
    /// </summary>
    public static ImageGrid Of(string caption, ImageSet images, IReadOnlyList<int> indices, int columns = 8, int scale = 3)
    {
        if (indices.Count == 0) throw new ArgumentException("accepted: one or more image indices.", nameof(indices));
        if (columns < 1) throw new ArgumentOutOfRangeException(nameof(columns), columns, "accepted: 1 or more");
        if (scale is < 1 or > 16) throw new ArgumentOutOfRangeException(nameof(scale), scale, "accepted: 1 to 16");
        foreach (var i in indices)
            if (i < 0 || i >= images.Count) throw new ArgumentOutOfRangeException(nameof(indices), i, $"accepted: image indices from 0 to {images.Count - 1}");
        const int gap = 2;
        var cols = Math.Min(columns, indices.Count);
        var rows = (indices.Count + cols - 1) / cols;
        int tileW = images.Columns * scale, tileH = images.Rows * scale;
        var width = cols * tileW + (cols + 1) * gap;
        var height = rows * tileH + (rows + 1) * gap;
        var rgb = new byte[width * height * 3];
        Array.Fill(rgb, (byte)255);
        var plane = images.Rows * images.Columns;
        for (var k = 0; k < indices.Count; k++)
        {
            var image = images.Image(indices[k]);
            int x0 = gap + (k % cols) * (tileW + gap), y0 = gap + (k / cols) * (tileH + gap);
            for (var y = 0; y < tileH; y++)
                for (var x = 0; x < tileW; x++)
                {
                    var source = (y / scale) * images.Columns + x / scale;
                    var target = ((y0 + y) * width + x0 + x) * 3;
                    for (var c = 0; c < 3; c++) rgb[target + c] = image[(images.Channels == 3 ? c * plane : 0) + source];
                }
        }
        using var stream = new MemoryStream();
        new StbImageWriteSharp.ImageWriter().WritePng(rgb, width, height, StbImageWriteSharp.ColorComponents.RedGreenBlue, stream);
        return new ImageGrid(caption, stream.ToArray(), width, height);
    }

    /// <summary>The images that most excite a unit, as a grid.</summary>
    public static ImageGrid Of(TopImages top, ImageSet images, int columns = 8) => Of(top.Caption, images, top.Indices, columns);

    /// <summary>As an HTML figure with the PNG inline.</summary>
    public string ToHtml() =>
        $"<figure style=\"margin:0.5em 0\"><img alt=\"{WebUtility.HtmlEncode(Caption)}\" width=\"{Width}\" height=\"{Height}\" style=\"image-rendering:pixelated\" src=\"data:image/png;base64,{Convert.ToBase64String(Png)}\"/>"
        + $"<figcaption style=\"font-size:0.9em\">{WebUtility.HtmlEncode(Caption)}</figcaption></figure>";

    /// <summary>The caption and size.</summary>
    public override string ToString() => $"[{Width}x{Height} image grid] {Caption}";
}

/// <summary>Formatters for <see cref="ImageGrid"/> (found by .NET Interactive's naming convention).</summary>
public sealed class ImageGridFormatterSource
{
    /// <summary>HTML and plain text.</summary>
    public IEnumerable<object> CreateTypeFormatters()
    {
        yield return new TableFormatter("text/html", o => ((ImageGrid)o).ToHtml());
        yield return new TableFormatter("text/plain", o => o.ToString() ?? "");
    }
}
