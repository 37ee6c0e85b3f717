"""The command layer: parses arguments, calls one service, renders, picks the exit code."""


def main() -> None:
    from mechctl.cli.app import app

    app()
