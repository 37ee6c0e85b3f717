"""The names of the options many commands share, spelt once: cli/options.py declares them for
typer, and cli/fastpath.py reads them before typer is imported."""

JSON = "--json"
LIMIT = "--limit"
NO_PAGER = "--no-pager"
