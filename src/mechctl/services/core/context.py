"""The repository a command works on: where it is, its configuration, who is acting."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from mechctl import clock
from mechctl.git.repo import Git

if TYPE_CHECKING:
    from mechctl.models import Config


@dataclass
class Workspace:
    git: Git
    _config: Config | None = field(default=None, repr=False)
    _identity: str | None = field(default=None, repr=False)
    # True: sync after each commit (--push); None: as `sync.auto_push` in .mechctl.yaml says.
    push: bool | None = None
    # A sync after a commit that failed: the commit stands, and the command reports this.
    sync_problem: Exception | None = field(default=None, repr=False)

    @property
    def root(self) -> Path:
        return self.git.root

    @property
    def config(self) -> Config:
        if self._config is None:
            from mechctl.store.records import load_config

            self._config = load_config(self.root)
        return self._config

    @property
    def identity(self) -> str:
        if self._identity is None:
            self._identity = self.git.identity()
        return self._identity

    def now(self) -> datetime:
        return clock.now()


def open_workspace(repo: Path | None = None, push: bool | None = None) -> Workspace:
    start = (repo if repo is not None else Path.cwd()).expanduser().resolve()
    return Workspace(git=Git.discover(start), push=push)
