namespace TicketLab.Data;

/// <summary>The image-classification datasets the suite knows.</summary>
public enum DatasetName
{
    /// <summary>Fashion-MNIST (Xiao, Rasul &amp; Vollgraf 2017; MIT licence, Zalando Research): the default.</summary>
    FashionMnist,
    /// <summary>MNIST (LeCun &amp; Cortes; CC BY-SA 3.0).</summary>
    Mnist,
}

/// <summary>One IDX file of a dataset: its name and the SHA-256 of its decompressed bytes.</summary>
public sealed record DatasetFile(string FileName, string Sha256);

/// <summary>Where a dataset comes from and how to check it; <c>Embedded</c> lists the committed subset's files, if any.</summary>
public sealed record DatasetInfo(
    DatasetName Name,
    string DisplayName,
    string[] ClassNames,
    string DownloadBaseUrl,
    string DebianPackage,
    string DebianFolder,
    string Licence,
    DatasetFile TrainImages,
    DatasetFile TrainLabels,
    DatasetFile TestImages,
    DatasetFile TestLabels,
    DatasetFile[]? Embedded = null)
{
    /// <summary>The four files in the order train images, train labels, test images, test labels.</summary>
    public IReadOnlyList<DatasetFile> Files => [TrainImages, TrainLabels, TestImages, TestLabels];
}

/// <summary>The published facts of each dataset; checksums are of the decompressed IDX bytes (Debian re-gzips the files).</summary>
public static class DatasetCatalog
{
    /// <summary>Fashion-MNIST as published by Zalando Research.</summary>
    public static readonly DatasetInfo FashionMnist = new(
        DatasetName.FashionMnist,
        "Fashion-MNIST",
        ["T-shirt/top", "Trouser", "Pullover", "Dress", "Coat", "Sandal", "Shirt", "Sneaker", "Bag", "Ankle boot"],
        "http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/",
        "dataset-fashion-mnist",
        "/usr/share/datasets/fashion-mnist",
        "MIT licence, Copyright (c) 2017 Zalando SE (Xiao, Rasul & Vollgraf 2017)",
        new("train-images-idx3-ubyte", "c59f468a2f672dc815687fe0f83887768d799fd8a3f3276145d20f83aa44d888"),
        new("train-labels-idx1-ubyte", "bad3541b69d912435c50bb6ba87bec294ff4f6a2e1246121d8633921760443d9"),
        new("t10k-images-idx3-ubyte", "5b4141f0afbad91edebe8549f8fcffe087ea10ca49f1dbef5c9a5cd8815ce37b"),
        new("t10k-labels-idx1-ubyte", "0402a96d92fd2663957122ceb108a494c5af83dab82d92729df917d7dec38c34"),
        // The committed subset: the first 500 training and 100 test images of each class (Datasets.WriteEmbedded).
        [
            new("train-images-idx3-ubyte", "444ed5f7ce17397f236f5eba17dd507d3f6912f04edd3e4f1701cdf82f2cc0c5"),
            new("train-labels-idx1-ubyte", "35d691216f65485d010cc635af5574a9dc04aa5060de9be64ab6e5cb5ead38e9"),
            new("t10k-images-idx3-ubyte", "7cee33c3c6414b1b86c25e665a6c4f41584269de3b7cc9768b1d351922845eef"),
            new("t10k-labels-idx1-ubyte", "3128d790775889812b73c4f13923559c8b9e281d112c6ea7862acf60a206a909"),
        ]);

    /// <summary>MNIST as published by LeCun &amp; Cortes.</summary>
    public static readonly DatasetInfo Mnist = new(
        DatasetName.Mnist,
        "MNIST",
        ["0", "1", "2", "3", "4", "5", "6", "7", "8", "9"],
        "https://ossci-datasets.s3.amazonaws.com/mnist/",
        "",
        "",
        "CC BY-SA 3.0 (Yann LeCun & Corinna Cortes)",
        new("train-images-idx3-ubyte", "ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db"),
        new("train-labels-idx1-ubyte", "65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5"),
        new("t10k-images-idx3-ubyte", "0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7"),
        new("t10k-labels-idx1-ubyte", "ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2"));

    /// <summary>The facts of <paramref name="name"/>.</summary>
    public static DatasetInfo Get(DatasetName name) => name switch
    {
        DatasetName.FashionMnist => FashionMnist,
        DatasetName.Mnist => Mnist,
        _ => throw new ArgumentOutOfRangeException(nameof(name), name, "accepted: FashionMnist, Mnist"),
    };
}
