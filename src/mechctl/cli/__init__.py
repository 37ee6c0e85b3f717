"""The command layer: parses arguments, calls one service, renders, picks the exit code."""


def main() -> None:
    import signal
    import sys

    from mechctl.cli.app import build, requested

    def terminate(signum: int, frame: object) -> None:
        raise KeyboardInterrupt  # unwinds through the transaction, which restores the tree

    signal.signal(signal.SIGTERM, terminate)
    build(only=requested(sys.argv[1:]))()
