"""One person in the simulation: works in their own clone, syncing as they go.

Run as `python worker.py CLONE NAME OPS SEED`. It drives mechctl in-process (one Python
process per clone, as the test asks), and prints one JSON line: what it did.
"""

from __future__ import annotations

import json
import os
import random
import sys
import time
from pathlib import Path


def main() -> None:
    clone, name, ops, seed = Path(sys.argv[1]), sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
    os.chdir(clone)
    os.environ.update(
        {
            "GIT_AUTHOR_NAME": name,
            "GIT_AUTHOR_EMAIL": f"{name}@example.com",
            "GIT_COMMITTER_NAME": name,
            "GIT_COMMITTER_EMAIL": f"{name}@example.com",
        }
    )
    from mechctl.cli.app import build

    app = build()
    rng = random.Random(seed)

    def run(*args: str) -> int:
        try:
            code = app(list(args), standalone_mode=False)
        except SystemExit as exc:  # typer may still exit on its own
            code = exc.code
        return int(code or 0)

    def sync() -> None:
        for attempt in range(20):
            if run("sync") == 0:
                return
            time.sleep(rng.uniform(0.05, 0.3) * (attempt + 1))
        raise SystemExit(f"{name}: sync kept failing")

    raised: list[str] = []
    done = {"escalations": 0, "transitions": 0, "inspections": 0, "edits": 0}
    for step in range(ops):
        choice = rng.random()
        if choice < 0.4 or not raised:
            out_before = sys.stdout
            from io import StringIO

            sys.stdout = buffer = StringIO()
            try:
                code = run(
                    "escalate",
                    "-m",
                    "wbr",
                    "-t",
                    f"{name} saw failure {step}",
                    "-i",
                    "Customers waited",
                    "--severity",
                    rng.choice(["sev2", "sev3"]),
                )
            finally:
                sys.stdout = out_before
            assert code == 0, f"{name}: escalate failed"
            raised.append(buffer.getvalue().strip())
            done["escalations"] += 1
        elif choice < 0.6:
            target = rng.choice(raised)
            verb = rng.choice(["ack", "comment"])
            args = ["escalation", verb, target] + (
                ["a note from " + name] if verb == "comment" else []
            )
            if run(*args) == 0:
                done["transitions"] += 1
        elif choice < 0.8:
            code = run(
                "inspect",
                "wbr",
                "--outcome",
                rng.choice(["on-track", "at-risk"]),
                "--metric",
                f"deck-on-time={rng.randint(80, 100)}",
                "--anecdote",
                f"{name}: a customer noticed step {step}",
            )
            assert code == 0, f"{name}: inspect failed"
            done["inspections"] += 1
        else:
            code = run(
                "mechanism",
                "set",
                "wbr",
                f"tool.inputs[]=Input from {name} #{step}",
                "--why",
                f"{name} needed input {step}",
            )
            assert code == 0, f"{name}: set failed"
            done["edits"] += 1
        if rng.random() < 0.5:
            sync()
    sync()
    print(json.dumps({"name": name, "raised": raised, **done}))


if __name__ == "__main__":
    main()
