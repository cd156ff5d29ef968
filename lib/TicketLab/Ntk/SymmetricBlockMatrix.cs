using static TorchSharp.torch;

namespace TicketLab.Ntk;

/// <summary>
/// A symmetric N×N matrix held as the float32 blocks of its lower triangle (block (i, j) for j ≤ i), so that a kernel
/// between tens of thousands of inputs costs N²/2 × 4 bytes instead of N² × 8, and is never one tensor: 60,000 inputs
/// take 7.2 GB. Products with it read every block once and use it twice (B·v and Bᵀ·v).
/// </summary>
public sealed class SymmetricBlockMatrix : IDisposable
{
    readonly Tensor[] blocks;

    /// <summary>The matrix's side N.</summary>
    public long Size { get; }

    /// <summary>The side of a block (the last row and column of blocks may be smaller).</summary>
    public int BlockSize { get; }

    /// <summary>Blocks per side.</summary>
    public int Blocks { get; }

    /// <summary>Bytes held by the blocks.</summary>
    public long Bytes => blocks.Sum(b => b.NumberOfElements * 4L);

    SymmetricBlockMatrix(long size, int blockSize, Tensor[] blocks)
    {
        (Size, BlockSize, this.blocks) = (size, blockSize, blocks);
        Blocks = (int)((size + blockSize - 1) / blockSize);
    }

    /// <summary>Blocks per side for a matrix of side <paramref name="size"/>.</summary>
    public static int BlockCount(long size, int blockSize) => (int)((size + blockSize - 1) / blockSize);

    /// <summary>The first row and the number of rows of block row <paramref name="i"/>.</summary>
    public static (long Start, long Length) Span(long size, int blockSize, int i) => (i * (long)blockSize, Math.Min(blockSize, size - i * (long)blockSize));

    /// <summary>
    /// Fills the lower triangle block by block: <paramref name="block"/>(i, j) returns the (rows of block i) × (rows of
    /// block j) entries, in any float type; a float32 copy is stored. Tensors the function makes within the call are freed
    /// after it; the returned one may also be a buffer it reuses (not freed). <paramref name="progress"/> gets the blocks done and
    /// the blocks in all after each one.
    /// </summary>
    public static SymmetricBlockMatrix Compute(long size, int blockSize, Func<int, int, Tensor> block, Action<int, int>? progress = null)
    {
        if (size < 1) throw new ArgumentOutOfRangeException(nameof(size), size, "accepted: 1 or more rows");
        if (blockSize < 1) throw new ArgumentOutOfRangeException(nameof(blockSize), blockSize, "accepted: 1 or more rows per block");
        var count = BlockCount(size, blockSize);
        var total = count * (count + 1) / 2;
        var stored = new Tensor[total];
        var done = 0;
        try
        {
            for (var i = 0; i < count; i++)
                for (var j = 0; j <= i; j++)
                {
                    var (_, rows) = Span(size, blockSize, i);
                    var (_, columns) = Span(size, blockSize, j);
                    using var scope = NewDisposeScope(); // what the block function makes is freed here; what it owns beyond a scope stays its own
                    var computed = block(i, j);
                    if (computed.dim() != 2 || computed.shape[0] != rows || computed.shape[1] != columns)
                        throw new InvalidOperationException($"block ({i}, {j}) has shape [{string.Join(", ", computed.shape)}]; expected [{rows}, {columns}].");
                    var value = computed.to(ScalarType.Float32).contiguous();
                    if (ReferenceEquals(value, computed)) value = value.clone();
                    if (!value.isfinite().all().item<bool>())
                        throw new InvalidOperationException($"block ({i}, {j}) holds NaN or infinite entries; check the inputs the kernel is computed from.");
                    stored[Index(i, j)] = value.DetachFromDisposeScope(); // kept beyond the scope
                    progress?.Invoke(++done, total);
                }
        }
        catch
        {
            foreach (var t in stored) t?.Dispose();
            throw;
        }
        return new SymmetricBlockMatrix(size, blockSize, stored);
    }

    static int Index(int i, int j) => i * (i + 1) / 2 + j;

    /// <summary>The stored block (i, j), j ≤ i (not a copy: do not dispose or change it).</summary>
    public Tensor Block(int i, int j) => j <= i ? blocks[Index(i, j)] : throw new ArgumentOutOfRangeException(nameof(j), j, $"accepted: a column block at most the row block {i} (the lower triangle)");

    /// <summary>The diagonal, float64.</summary>
    public Tensor Diagonal()
    {
        using var scope = NewDisposeScope();
        var parts = Enumerable.Range(0, Blocks).Select(i => Block(i, i).diagonal().to(ScalarType.Float64)).ToArray();
        return cat(parts).MoveToOuterDisposeScope();
    }

    /// <summary>
    /// The product with <paramref name="v"/> (N × K, any float type), float64. Each block's products are computed in
    /// float32 and summed in float64. They are taken in the transposed layout (K × N times a block): LibTorch's products
    /// of a 2048² block with 10 columns are 3-10× slower than with 10 rows.
    /// </summary>
    public Tensor Multiply(Tensor v)
    {
        if (v.dim() != 2 || v.shape[0] != Size) throw new ArgumentException($"v has shape [{string.Join(", ", v.shape)}]; accepted: {Size} x K.", nameof(v));
        using var scope = NewDisposeScope();
        using var _ = no_grad();
        var vt = v.t().to(ScalarType.Float32).contiguous();
        var parts = new Tensor[Blocks];
        var slices = new Tensor[Blocks];
        for (var i = 0; i < Blocks; i++)
        {
            var (s, l) = Span(Size, BlockSize, i);
            parts[i] = zeros(v.shape[1], l, dtype: ScalarType.Float64);
            slices[i] = vt.narrow(1, s, l).contiguous();
        }
        for (var i = 0; i < Blocks; i++)
            for (var j = 0; j <= i; j++)
            {
                using var step = NewDisposeScope();
                var b = blocks[Index(i, j)];
                parts[i].add_(slices[j].mm(b.t()));            // (B v_j)ᵀ
                if (i != j) parts[j].add_(slices[i].mm(b));    // (Bᵀ v_i)ᵀ
            }
        return cat(parts, dim: 1).t().contiguous().MoveToOuterDisposeScope();
    }

    /// <summary>The whole matrix as one float64 tensor (for tests and small sizes only).</summary>
    public Tensor ToDense()
    {
        using var scope = NewDisposeScope();
        var dense = zeros(Size, Size, dtype: ScalarType.Float64);
        for (var i = 0; i < Blocks; i++)
            for (var j = 0; j <= i; j++)
            {
                var (si, li) = Span(Size, BlockSize, i);
                var (sj, lj) = Span(Size, BlockSize, j);
                var b = blocks[Index(i, j)].to(ScalarType.Float64);
                dense.narrow(0, si, li).narrow(1, sj, lj).copy_(b);
                if (i != j) dense.narrow(0, sj, lj).narrow(1, si, li).copy_(b.t());
            }
        return dense.MoveToOuterDisposeScope();
    }

    /// <summary>Frees the blocks.</summary>
    public void Dispose()
    {
        foreach (var b in blocks) b.Dispose();
    }
}
