using TicketLab.Data;
using TicketLab.Detectors;
using TicketLab.Nets;
using TicketLab.Ntk;
using TicketLab.Pruning;
using TicketLab.Training;
using static TorchSharp.torch;

namespace TicketLab.Tests.Reliability;

/// <summary>
/// Bad inputs, one row each: what is called, the exception type it must throw, and the parameter it must name (and a
/// fragment of the message that says what is accepted). A silent wrong result or an exception from deep inside a
/// library fails the row.
/// </summary>
[Collection("torch")]
public class BadInputTests
{
    static readonly LabeledData Small = Datasets.Load(new DataOptions(Source: DataSource.Embedded, TrainPerClass: 20, TestPerClass: 10));

    static float[] Qualities(int n, Func<int, float> at) => Enumerable.Range(0, n).Select(at).ToArray();

    /// <summary>Name, call, exception type, parameter name (null: not an argument exception), a fragment of the message.</summary>
    public static TheoryData<string> Cases() => [.. Rows.Keys];

    static readonly Dictionary<string, (Action Call, Type Exception, string? Parameter, string Accepted)> Rows = new()
    {
        ["edge-popup keep that keeps no weight of a layer"] = (() => new EdgePopupMlp([784, 30, 10], FrozenInit.KaimingNormal, 1e-6, 0), typeof(ArgumentOutOfRangeException), "keepFraction", "keeps no weight of layer"),
        ["edge-popup keep above 1"] = (() => new EdgePopupMlp([784, 30, 10], FrozenInit.KaimingNormal, 1.5, 0), typeof(ArgumentOutOfRangeException), "keepFraction", "KEPT"),
        ["IMP rewind step beyond the run"] = (() => Imp.Run(new MlpOptions([784, 20, 10]), 0, new TensorData(Small), new TrainOptions(Epochs: 1, BatchSize: 64), new ImpOptions(Rounds: 1, RewindStep: 10)),
            typeof(ArgumentOutOfRangeException), "RewindStep", "steps of one training run"),
        ["IMP rounds that prune a layer to nothing"] = (() => Imp.Run(new MlpOptions([784, 20, 10]), 0, new TensorData(Small), new TrainOptions(Epochs: 1, BatchSize: 64), new ImpOptions(Rounds: 12, PruneFractionPerRound: 0.9, OutputPruneFraction: 0.9)),
            typeof(ArgumentOutOfRangeException), "Rounds", "to no weight"),
        ["IMP prune fraction 1"] = (() => new ImpOptions(PruneFractionPerRound: 1).Validate(), typeof(ArgumentOutOfRangeException), "PruneFractionPerRound", "(0, 1)"),
        ["density grid that overshoots 1"] = (() => Density.Grid(0.5, 1.0, 0.3), typeof(ArgumentOutOfRangeException), "step", "whole steps"),
        ["density grid beyond 1"] = (() => Density.Grid(0.5, 1.1, 0.1), typeof(ArgumentOutOfRangeException), "to", "to <= 1"),
        ["density of no units"] = (() => Density.Fraction([], 0.9), typeof(ArgumentException), "qualities", "at least one unit"),
        ["density curve of no seeds"] = (() => Density.Curve("x", [], Density.Grid()), typeof(ArgumentException), "qualitiesPerSeed", "at least one"),
        ["density threshold above 1"] = (() => Density.Fraction([0.7f], 1.2), typeof(ArgumentOutOfRangeException), "threshold", "[0.5, 1]"),
        ["tail fit on 7 units"] = (() => TailModel.Fit(Qualities(7, i => 0.6f + i * 0.01f)), typeof(ArgumentException), "qualities", "at least 100"),
        ["tail fit on identical qualities"] = (() => TailModel.Fit(Qualities(1000, _ => 0.7f)), typeof(ArgumentException), "qualities", "spread"),
        ["tail fit on NaN qualities"] = (() => TailModel.Fit(Qualities(1000, i => i == 3 ? float.NaN : 0.5f + i * 0.0004f)), typeof(ArgumentException), "qualities", "finite qualities"),
        ["tail fraction -1"] = (() => TailModel.Fit(Qualities(1000, i => 0.5f + i * 0.0004f), new TailOptions(TailFraction: -1)), typeof(ArgumentOutOfRangeException), "TailFraction", "(0, 0.5]"),
        ["tail bootstrap 0"] = (() => new TailOptions(Bootstrap: 0).Validate(), typeof(ArgumentOutOfRangeException), "Bootstrap", "10 or more"),
        ["tail minimum measured count -1"] = (() => new TailOptions(MinimumMeasuredCount: -1).Validate(), typeof(ArgumentOutOfRangeException), "MinimumMeasuredCount", "1 or more"),
        ["NaN inputs to the analytic NTK"] = (() => AnalyticNtk.Relu(tensor(new float[] { 1, float.NaN, 0, 1 }).reshape(2, 2), null, 2), typeof(ArgumentException), "x1", "finite"),
        ["NaN inputs to the empirical NTK"] = (() => EmpiricalNtk.Fast(new Mlp(new MlpOptions([2, 4, 3]), 0), tensor(new float[] { 1, float.NaN, 0, 1 }).reshape(2, 2)), typeof(ArgumentException), "x1", "finite"),
        ["empty analytic NTK"] = (() => AnalyticNtk.Relu(zeros(0, 3), null, 2), typeof(ArgumentException), "x1", "N >= 1"),
        ["0 x 0 kernel regression"] = (() => KernelRegression.Predict(zeros(0, 0), zeros(3, 0), zeros(0, 2)), typeof(ArgumentException), "trainKernel", "N >= 1"),
        ["kernel regression, test kernel of other width"] = (() => KernelRegression.Predict(eye(3), zeros(2, 4), zeros(3, 2)), typeof(ArgumentException), "testTrainKernel", "N_test x 3"),
        ["kernel regression, targets of other length"] = (() => KernelRegression.Predict(eye(3), zeros(2, 3), zeros(4, 2)), typeof(ArgumentException), "targets", "3 x K"),
        ["kernel regression, NaN kernel"] = (() => KernelRegression.Predict(tensor(new double[] { 1, double.NaN, double.NaN, 1 }).reshape(2, 2), zeros(1, 2), zeros(2, 2)), typeof(ArgumentException), "trainKernel", "finite"),
        ["net input size unlike the data's"] = (() => Trainer.Train(new Mlp(new MlpOptions([100, 8, 10]), 0), new TensorData(Small), new TrainOptions(Epochs: 1)), typeof(ArgumentException), "model", "input size is 784"),
        ["net output size unlike the classes"] = (() => Trainer.Train(new Mlp(new MlpOptions([784, 8, 3]), 0), new TensorData(Small), new TrainOptions(Epochs: 1)), typeof(ArgumentException), "model", "[1, 10]"),
        ["head start of 0 steps"] = (() => Trainer.Train(new Mlp(new MlpOptions([784, 8, 10]), 0), new TensorData(Small), new TrainOptions(Epochs: 1), stopAfterSteps: 0), typeof(ArgumentOutOfRangeException), "stopAfterSteps", "1 or more"),
        ["learning rate NaN"] = (() => new TrainOptions(LearningRate: double.NaN).Validate(), typeof(ArgumentOutOfRangeException), "LearningRate", "> 0"),
        ["thread count that is not a number"] = (() => IntraOpThreads.Parse("two"), typeof(ArgumentException), null, "1 to 256"),
        ["TICKETLAB_DATA naming a missing folder"] = (() => Datasets.DataFolderFromEnvironment(Path.Combine(Path.GetTempPath(), "no-such-ticketlab-data-" + Guid.NewGuid())), typeof(DatasetNotFoundException), null, "not a folder"),
        ["rare-event level probability 1"] = (() => new RareEventOptions(LevelProbability: 1).Validate(), typeof(ArgumentOutOfRangeException), "LevelProbability", "accepted"),
        ["IDX header with a wrong dimension count"] = (() => Idx.Parse([0, 0, 8, 2, 0, 0, 0, 2, 0, 0, 0, 3, 0, 0, 0, 4, 1, 2, 3, 4, 5, 6], "probe.idx"), typeof(InvalidDataException), null, "2 declared dimensions"),
        ["random-unit quality of a class with no images"] = (() => new RandomUnitQuality(zeros(4, 3), tensor(new long[] { 0, 0, 1, 1 }), 7, 1.0), typeof(ArgumentOutOfRangeException), "class", "both in and out"),
    };

    [Theory]
    [MemberData(nameof(Cases))]
    public void A_bad_input_is_refused_by_name_with_what_is_accepted(string name)
    {
        var (call, type, parameter, accepted) = Rows[name];
        var error = Assert.ThrowsAny<Exception>(call);
        Assert.True(type.IsInstanceOfType(error), $"{name}: threw {error.GetType().Name} ({error.Message}), expected {type.Name}");
        if (parameter is not null) Assert.Equal(parameter, Assert.IsAssignableFrom<ArgumentException>(error).ParamName);
        Assert.Contains(accepted, error.Message);
    }

    [Fact]
    public void The_suite_tries_this_many_bad_inputs()
    {
        // The count the reliability note quotes; a new row raises it.
        Assert.True(Rows.Count >= 30, $"{Rows.Count} rows");
    }
}

public class BadEnvironmentTests
{
    [Fact]
    public void A_browser_variable_that_names_a_missing_or_non_executable_file_is_an_error()
    {
        using var temp = TestSetup.Temp();
        var missing = Assert.Throws<FileNotFoundException>(() => TicketLab.Plots.StaticImages.Locate(temp["no-such-browser"]));
        Assert.Contains("TICKETLAB_CHROMIUM", missing.Message);
        File.WriteAllText(temp["browser"], "#!/bin/sh\n");
        if (OperatingSystem.IsWindows()) return;
        File.SetUnixFileMode(temp["browser"], UnixFileMode.UserRead | UnixFileMode.UserWrite);
        Assert.Contains("not executable", Assert.Throws<FileNotFoundException>(() => TicketLab.Plots.StaticImages.Locate(temp["browser"])).Message);
        File.SetUnixFileMode(temp["browser"], UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute);
        Assert.Equal(temp["browser"], TicketLab.Plots.StaticImages.Locate(temp["browser"]));
    }

    [Fact]
    public void The_main_job_names_an_output_folder_it_cannot_write()
    {
        using var temp = TestSetup.Temp();
        File.WriteAllText(temp["file"], "in the way");
        var error = Assert.Throws<ArgumentException>(() => TicketLab.Cli.Commands.Notebooks(["--profile", "quick", "--only", "05", "--output", Path.Combine(temp["file"], "out")]));
        Assert.Contains("--output", error.Message);
        Assert.Contains("cannot be written", error.Message);
    }
}

public class FailedRunTests
{
    [Fact]
    public void An_empty_only_names_no_notebook_instead_of_running_all()
    {
        var error = Assert.Throws<ArgumentException>(() => TicketLab.Cli.Commands.Notebooks(["--profile", "quick", "--only", ""]));
        Assert.Contains("names no notebook", error.Message);
    }

    [Fact]
    public void Overrides_need_one_notebook_and_a_name_its_parameters_cell_sets_before_anything_runs()
    {
        Assert.Contains("--only", Assert.Throws<ArgumentException>(() => TicketLab.Cli.Commands.Notebooks(["--profile", "quick", "--set", "Widths=new[] { 64 }"])).Message);
        Assert.Contains("matches 6 notebooks", Assert.Throws<ArgumentException>(() => TicketLab.Cli.Commands.Notebooks(["--profile", "quick", "--only", "0", "--set", "Widths=new[] { 64 }"])).Message);
        var unknown = Assert.Throws<ArgumentException>(() => TicketLab.Cli.Commands.Notebooks(["--profile", "quick", "--only", "02", "--set", "Widht=new[] { 64 }"]));
        Assert.Contains("sets no 'Widht'", unknown.Message);
        Assert.Contains("Widths", unknown.Message);
        Assert.Contains("given 2 times", Assert.Throws<ArgumentException>(() => TicketLab.Cli.Commands.Notebooks(["--only", "02", "--set", "Steps=3", "--set", "Steps=4"])).Message);
        Assert.Contains("needs a value", Assert.Throws<ArgumentException>(() => TicketLab.Cli.Commands.Notebooks(["--only", "02", "--set"])).Message);
    }

    [Fact]
    public void The_site_is_not_built_from_a_notebook_that_holds_an_error_output()
    {
        using var temp = TestSetup.Temp();
        var notebook = temp["05-failed.ipynb"];
        File.WriteAllText(notebook, """
            {"cells": [
              {"cell_type": "markdown", "metadata": {}, "source": ["# A failed run"]},
              {"cell_type": "code", "execution_count": 1, "metadata": {"polyglot_notebook": {"kernelName": "csharp"}}, "source": ["throw new Exception();"],
               "outputs": [{"output_type": "error", "ename": "System.Exception", "evalue": "deliberate", "traceback": []}]}
            ],
             "metadata": {"kernelspec": {"display_name": ".NET (C#)", "language": "C#", "name": ".net-csharp"}, "language_info": {"name": "polyglot-notebook"},
                          "polyglot_notebook": {"kernelInfo": {"defaultKernelName": "csharp", "items": [{"aliases": [], "name": "csharp"}]}}},
             "nbformat": 4, "nbformat_minor": 5}
            """);
        var error = Assert.Throws<InvalidDataException>(() => TicketLab.Cli.Site.SiteBuilder.Build([notebook], Path.Combine(ProjectPaths.Notebooks, "results"), temp["site"]));
        Assert.Contains("05-failed.ipynb", error.Message);
        Assert.False(Directory.Exists(temp["site"]) && Directory.EnumerateFileSystemEntries(temp["site"]).Any(), "a page was written");
    }
}
