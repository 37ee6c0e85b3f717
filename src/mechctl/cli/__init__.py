"""The command layer: parses arguments, calls one service, renders, picks the exit code."""


def main() -> None:
    import sys

    from mechctl.cli.app import build, requested

    build(only=requested(sys.argv[1:]))()
