"""What the client scripts of this folder share: writing their report and their exit code."""
import json
import os


def finish(output, report, problems):
    """Writes OUTPUT/report.json with the problems, prints them, and returns the exit code (1 if any, else 0)."""
    report["problems"] = problems
    with open(os.path.join(output, "report.json"), "w", encoding="utf-8") as f:
        json.dump(report, f, indent=2)
    for p in problems:
        print("PROBLEM:", p)
    return 1 if problems else 0
