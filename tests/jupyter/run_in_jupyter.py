"""Runs the suite's notebooks through Jupyter's own client (nbclient) and the .NET Interactive kernel, as a reader does.

Usage: run_in_jupyter.py OUTPUT_FOLDER [NOTEBOOK ...]

* validates every committed notebook with nbformat (version 4.5: every cell has an id);
* executes the named notebooks (default: all, in order) in the quick profile through the `.net-csharp` kernel, with
  their results written under OUTPUT_FOLDER/results, never into notebooks/results;
* fails on any error output;
* then, in the first notebook's live kernel, runs its `parameters` cell and every cell below it again, as a reader
  does after editing a hyperparameter: redeclared variables must work and charts must be shown again;
* saves each executed notebook as a Jupyter client saves it, under OUTPUT_FOLDER/executed/ (the test then checks that the
  CLI's `clean` makes such a file fit to commit: no kernel bootstrap script, Plotly figures as JSON objects);
* writes OUTPUT_FOLDER/report.json with what it saw (seconds per notebook, and how the kernel sent Plotly figures).

Exit code 0 when everything passed, 1 otherwise (the problems are printed), 2 when Jupyter's client or the kernel is missing.
"""
import json
import os
import sys
import time

from report import finish

PLOTLY = "application/vnd.plotly.v1+json"


def main():
    if len(sys.argv) < 2:
        print(__doc__)
        return 2
    try:
        import nbclient
        import nbformat
        from jupyter_client.kernelspec import KernelSpecManager
    except ImportError as e:
        print(f"Jupyter's client is missing ({e}): install Debian's python3-nbclient, python3-nbformat and jupyter-client.")
        return 2
    if ".net-csharp" not in KernelSpecManager().find_kernel_specs():
        print("The .net-csharp kernel is not installed: dotnet tool install -g Microsoft.dotnet-interactive --version 1.0.712001, "
              "then dotnet interactive jupyter install (with ~/.dotnet/tools on PATH).")
        return 2
    here = os.path.dirname(os.path.abspath(__file__))
    notebooks = os.path.normpath(os.path.join(here, "..", "..", "notebooks"))
    output = os.path.abspath(sys.argv[1])
    os.makedirs(os.path.join(output, "results"), exist_ok=True)
    names = sys.argv[2:] or sorted(f for f in os.listdir(notebooks) if f.endswith(".ipynb"))
    problems = []
    report = {"notebooks": [], "rerun": None}

    # Every committed notebook is valid nbformat 4.5.
    for name in sorted(f for f in os.listdir(notebooks) if f.endswith(".ipynb")):
        with open(os.path.join(notebooks, name), encoding="utf-8") as f:
            raw = json.load(f)
        missing = [i for i, c in enumerate(raw["cells"]) if "id" not in c]
        if missing:
            problems.append(f"{name}: cells {missing} have no id (nbformat 4.5 requires one)")
        try:
            nbformat.validate(nbformat.from_dict(raw))
        except nbformat.ValidationError as e:
            problems.append(f"{name}: not valid nbformat: {e.message}")

    # The kernel inherits this environment: the quick profile, and results kept out of notebooks/results.
    os.environ["TICKETLAB_PROFILE"] = "quick"
    os.environ["TICKETLAB_RESULTS"] = os.path.join(output, "results")
    tools = os.path.expanduser("~/.dotnet/tools")
    if tools not in os.environ.get("PATH", "").split(os.pathsep):
        os.environ["PATH"] = os.environ.get("PATH", "") + os.pathsep + tools

    committed = {f: os.path.getmtime(os.path.join(notebooks, "results", f)) for f in os.listdir(os.path.join(notebooks, "results"))}
    for index, name in enumerate(names):
        nb = nbformat.read(os.path.join(notebooks, name), as_version=4)
        for cell in nb.cells:
            if cell.cell_type == "code":
                cell.outputs = []
        client = nbclient.NotebookClient(nb, kernel_name=".net-csharp", timeout=900, allow_errors=True,
                                         resources={"metadata": {"path": notebooks}})
        start = time.time()
        entry = {"notebook": name}
        try:
            with client.setup_kernel():
                for i, cell in enumerate(nb.cells):
                    client.execute_cell(cell, i)
                entry["seconds"] = round(time.time() - start, 1)
                errors = Errors(nb.cells)
                problems += [f"{name}: cell {i}: {e}" for i, e in errors]
                charts = Charts(nb.cells)
                entry["charts"] = len(charts)
                entry["plotly_as"] = sorted({kind for _, kind in charts})
                if index == 0 and not errors:
                    report["rerun"] = Rerun(client, nb, name, problems)
            os.makedirs(os.path.join(output, "executed"), exist_ok=True)
            nbformat.write(nb, os.path.join(output, "executed", name))
        except Exception as e:  # the kernel died, or a cell timed out
            problems.append(f"{name}: {type(e).__name__}: {e}")
        report["notebooks"].append(entry)
        print(f"{name}: {entry.get('seconds', '?')} s, {entry.get('charts', 0)} charts", flush=True)

    for f, stamp in committed.items():
        if os.path.getmtime(os.path.join(notebooks, "results", f)) != stamp:
            problems.append(f"notebooks/results/{f} was rewritten by a quick run outside the CLI")
    return finish(output, report, problems)


def Errors(cells):
    return [(i, f"{o.get('ename')}: {str(o.get('evalue'))[:300]}") for i, c in enumerate(cells) if c.cell_type == "code"
            for o in c.get("outputs", []) if o.get("output_type") == "error"]


def Charts(cells):
    """(cell, 'object' or 'string') for every Plotly figure the kernel sent."""
    return [(i, "object" if isinstance(o["data"][PLOTLY], dict) else "string") for i, c in enumerate(cells) if c.cell_type == "code"
            for o in c.get("outputs", []) if PLOTLY in o.get("data", {})]


def Rerun(client, nb, name, problems):
    """The parameters cell and every cell below it, again, in the same kernel."""
    tagged = [i for i, c in enumerate(nb.cells) if "parameters" in c.get("metadata", {}).get("tags", [])]
    if not tagged:
        problems.append(f"{name}: no cell is tagged parameters")
        return None
    first = tagged[0]
    before = len(Charts(nb.cells[first:]))
    for i in range(first, len(nb.cells)):
        if nb.cells[i].cell_type == "code":
            nb.cells[i].outputs = []
            client.execute_cell(nb.cells[i], i)
    errors = Errors(nb.cells[first:])
    problems += [f"{name}, rerun from the parameters cell: cell {first + i}: {e}" for i, e in errors]
    after = len(Charts(nb.cells[first:]))
    if after != before:
        problems.append(f"{name}, rerun from the parameters cell: {after} charts shown, {before} the first time")
    return {"notebook": name, "from_cell": first, "charts_first": before, "charts_again": after, "errors": len(errors)}


if __name__ == "__main__":
    sys.exit(main())
