namespace TicketLab.Tests;

/// <summary>Tests that use LibTorch run one at a time: it has its own thread pool, and the machine has two cores.</summary>
[CollectionDefinition("torch", DisableParallelization = true)]
public class TorchCollection;

/// <summary>Notebook runs start whole kernels; they run one at a time.</summary>
[CollectionDefinition("notebooks", DisableParallelization = true)]
public class NotebookCollection;
