"""The command layer: parses arguments, calls one service, renders, picks the exit code."""


def main() -> None:
    import signal
    import sys

    if "lint" in sys.argv[1:4]:
        # A warm `mechctl lint` answers before the full command line is even loaded.
        from mechctl.cli.lint.warm import run

        code = run(sys.argv[1:])
        if code is not None:
            sys.exit(code)

    # The everyday reads answer before typer is even imported (cli/fastpath.py).
    from mechctl.cli.fastpath import run as fast

    code = fast(sys.argv[1:])
    if code is not None:
        sys.exit(code)

    from mechctl.cli.app import build, requested

    def terminate(signum: int, frame: object) -> None:
        raise KeyboardInterrupt  # unwinds through the transaction, which restores the tree

    signal.signal(signal.SIGTERM, terminate)
    build(only=requested(sys.argv[1:]))()
