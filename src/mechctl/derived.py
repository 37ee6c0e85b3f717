"""Everything mechctl keeps beside the records, under `.git/mechctl/` (docs/design.md §7).

This module is the one table of those paths. What lives there is derived or transient: the
caches only make reads faster (deleting them changes no result), the lock and the journal
only live while a command runs, and drafts and crash reports are kept for the user to read.
Nothing else spells out `.git/mechctl`.
"""

from __future__ import annotations

from pathlib import Path

FOLDER = "mechctl"

# name -> (file or folder under .git/mechctl/, what it is). Every entry lives in git's
# common folder, shared by all worktrees, except the journal: a command in progress belongs
# to one worktree.
PATHS: dict[str, tuple[str, str]] = {
    "cache": ("cache.sqlite", "checked records by blob id, for listings and the report"),
    "lint-cache": ("lint-cache.sqlite3", "lint's per-file findings, and the last run's memo"),
    "facts": ("facts", "the levels and mechanism owners that `escalate` reads"),
    "lock": ("lock", "the mutation lock (flock)"),
    "journal": ("journal.json", "what a killed command leaves for the next one to finish"),
    "drafts": ("drafts", "what the user typed, when a commit was refused"),
    "edit": ("edit", "the scratch files of `mechanism edit`"),
    "crash": ("crash", "reports of internal errors"),
}


def folder(git_dir: Path) -> Path:
    """`.git/mechctl/` of a repository, given its git common folder (or a worktree's)."""
    return git_dir / FOLDER


def path(git_dir: Path, name: str) -> Path:
    """One entry of PATHS, under `git_dir` (the common folder; a worktree's for the journal)."""
    return folder(git_dir) / PATHS[name][0]
