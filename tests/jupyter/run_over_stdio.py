"""Runs notebooks through `dotnet interactive stdio`, the kernel and protocol VS Code's Polyglot Notebooks extension uses.

Usage: run_over_stdio.py OUTPUT_FOLDER [NOTEBOOK ...]

Each named notebook (default: 00-the-debate.ipynb) runs in one fresh kernel, in the quick profile, cell by cell as the
editor sends them (one SubmitCode command per code cell, in notebooks/ as the working directory), with its results
written under OUTPUT_FOLDER/results, never into notebooks/results. Then its `parameters` cell and every cell below it run
again in the same kernel, as after editing a hyperparameter. Fails on any failed command; writes OUTPUT_FOLDER/report.json
(seconds, cells, charts, how figures were sent).

Exit code 0 when everything passed, 1 otherwise (the problems are printed), 2 when the kernel tool is missing.
"""
import json
import os
import queue
import shutil
import signal
import subprocess
import sys
import threading
import time

from report import finish

PLOTLY = "application/vnd.plotly.v1+json"


def main():
    if len(sys.argv) < 2:
        print(__doc__)
        return 2
    tools = os.path.expanduser("~/.dotnet/tools")
    if tools not in os.environ.get("PATH", "").split(os.pathsep):
        os.environ["PATH"] = os.environ.get("PATH", "") + os.pathsep + tools
    if shutil.which("dotnet-interactive") is None:
        print("The .NET Interactive kernel tool is missing: dotnet tool install -g Microsoft.dotnet-interactive --version 1.0.712001")
        return 2
    here = os.path.dirname(os.path.abspath(__file__))
    notebooks = os.path.normpath(os.path.join(here, "..", "..", "notebooks"))
    output = os.path.abspath(sys.argv[1])
    os.makedirs(os.path.join(output, "results"), exist_ok=True)
    os.environ["TICKETLAB_PROFILE"] = "quick"
    os.environ["TICKETLAB_RESULTS"] = os.path.join(output, "results")
    problems, report = [], {"notebooks": []}
    for name in sys.argv[2:] or ["00-the-debate.ipynb"]:
        with open(os.path.join(notebooks, name), encoding="utf-8") as f:
            cells = json.load(f)["cells"]
        entry = {"notebook": name}
        kernel = Kernel(notebooks)
        try:
            start = time.time()
            code = [(i, "".join(c["source"]) if isinstance(c["source"], list) else c["source"]) for i, c in enumerate(cells) if c["cell_type"] == "code"]
            charts, as_text = Run(kernel, name, code, problems)
            chart_cells = dict(Run.chart_cells)
            entry.update(seconds=round(time.time() - start, 1), cells=len(code), charts=charts, plotly_as=as_text)
            tagged = [i for i, c in enumerate(cells) if "parameters" in c.get("metadata", {}).get("tags", [])]
            if tagged:
                again, _ = Run(kernel, name + " (rerun from the parameters cell)", [(i, s) for i, s in code if i >= tagged[0]], problems)
                first = sum(n for i, n in chart_cells.items() if i >= tagged[0])
                entry["rerun"] = {"from_cell": tagged[0] + 1, "charts_first": first, "charts_again": again}
                if again != first:
                    problems.append(f"{name}, rerun from the parameters cell: {again} charts shown, {first} the first time")
        except Exception as e:  # the kernel died or a cell timed out
            problems.append(f"{name}: {type(e).__name__}: {e}")
        finally:
            kernel.close()
        report["notebooks"].append(entry)
        print(f"{name}: {entry.get('seconds', '?')} s, {entry.get('charts', 0)} charts", flush=True)
    return finish(output, report, problems)


class Kernel:
    """One `dotnet interactive stdio` process: JSON command envelopes in, event envelopes out, a line each."""

    def __init__(self, folder):
        self.process = subprocess.Popen(["dotnet", "interactive", "stdio", "--default-kernel", "csharp", "--working-dir", folder],
                                        cwd=folder, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                                        text=True, encoding="utf-8", bufsize=1, start_new_session=True)
        self.lines = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()
        self.count = 0

    def _read(self):
        for line in self.process.stdout:
            self.lines.put(line)
        self.lines.put(None)

    def submit(self, code, timeout=900):
        """The events of one SubmitCode command, up to its CommandSucceeded or CommandFailed."""
        self.count += 1
        token = f"cell-{self.count}"
        envelope = {"commandType": "SubmitCode", "command": {"code": code, "targetKernelName": "csharp"}, "token": token}
        self.process.stdin.write(json.dumps(envelope) + "\n")
        self.process.stdin.flush()
        events, deadline = [], time.time() + timeout
        while True:
            line = self.lines.get(timeout=max(1, deadline - time.time()))
            if line is None:
                raise RuntimeError("the kernel exited")
            try:
                event = json.loads(line)
            except json.JSONDecodeError:
                continue
            events.append(event)
            if event.get("eventType") in ("CommandSucceeded", "CommandFailed") and (event.get("command") or {}).get("token") == token:
                return events

    def close(self):
        """Stops the kernel and everything it started (`dotnet interactive` runs the tool as a child process)."""
        try:
            self.process.stdin.close()
        finally:
            try:
                os.killpg(self.process.pid, signal.SIGKILL)
            except ProcessLookupError:
                pass
            self.process.wait()


def Run(kernel, name, code, problems):
    """Submits each (index, source); returns the number of Plotly figures shown and how their JSON arrived."""
    charts, kinds = 0, set()
    Run.chart_cells = {}
    for index, source in code:
        events = kernel.submit(source)
        for e in events:
            if e.get("eventType") == "CommandFailed" and (e.get("command") or {}).get("token") == f"cell-{kernel.count}":
                problems.append(f"{name}: cell {index + 1}: {str(e['event'].get('message'))[:300]}")
            for value in (e.get("event") or {}).get("formattedValues") or []:
                if value.get("mimeType") == PLOTLY and e.get("eventType") in ("DisplayedValueProduced", "ReturnValueProduced"):
                    charts += 1
                    Run.chart_cells[index] = Run.chart_cells.get(index, 0) + 1
                    kinds.add("object" if isinstance(value.get("value"), dict) else "string")
    return charts, sorted(kinds)


if __name__ == "__main__":
    sys.exit(main())
