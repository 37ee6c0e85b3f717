"""`mechctl github`: mechctl on GitHub (docs/design.md §4)."""

from __future__ import annotations

import typer

from mechctl.cli.github_review import review

app = typer.Typer(no_args_is_help=True)
app.command("review")(review)
