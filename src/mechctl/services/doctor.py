"""`mechctl doctor`: is this clone set up so mechctl works well here?"""

from __future__ import annotations

import shutil
from dataclasses import dataclass

from mechctl.errors import MechctlError
from mechctl.services.core.context import Workspace

ATTRIBUTES = "mechanisms/*.yaml merge=mechctl\nescalations/**/*.yaml merge=mechctl\n"
DRIVER = "mechctl merge-driver %O %A %B %P"
DRIVER_SETUP = f'git config merge.mechctl.driver "{DRIVER}"'


def local_driver() -> str:
    """The driver command for this machine: this interpreter, so PATH does not matter."""
    import shlex
    import sys

    return f"{shlex.quote(sys.executable)} -m mechctl merge-driver %O %A %B %P"


@dataclass
class Check:
    name: str
    status: str  # ok, warn, fail
    detail: str
    fix: str | None = None


def _attributes_ok(ws: Workspace) -> bool:
    path = ws.root / ".gitattributes"
    if not path.is_file():
        return False
    text = path.read_text(encoding="utf-8", errors="replace")
    return all(line in text.splitlines() for line in ATTRIBUTES.splitlines())


def checks(ws: Workspace) -> list[Check]:
    found: list[Check] = []
    try:
        found.append(Check("identity", "ok", ws.identity))
    except MechctlError as exc:
        found.append(Check("identity", "fail", exc.message, exc.hint))
    try:
        _ = ws.config
        found.append(
            Check(
                "config",
                "ok",
                ".mechctl.yaml is valid"
                if (ws.root / ".mechctl.yaml").is_file()
                else "defaults (no .mechctl.yaml)",
            )
        )
    except MechctlError as exc:
        found.append(Check("config", "fail", exc.message, "fix the line it names"))
    if _attributes_ok(ws):
        found.append(Check("merge attributes", "ok", ".gitattributes routes records to mechctl"))
    else:
        found.append(
            Check(
                "merge attributes",
                "warn",
                ".gitattributes does not route records to the mechctl merge driver",
                "run `mechctl init` (it adds them)",
            )
        )
    settings = ws.git.repository_settings()
    driver = settings["merge.mechctl.driver"] or ""
    if "merge-driver" in driver:
        found.append(Check("merge driver", "ok", driver))
    else:
        found.append(
            Check(
                "merge driver",
                "warn",
                "this clone has no merge.mechctl.driver, so"
                " concurrent edits to one record merge line by line",
                DRIVER_SETUP,
            )
        )
    program = driver.split()[0] if driver else "mechctl"  # the driver's own program
    located = shutil.which(program)
    if located is None:
        found.append(
            Check(
                "driver program",
                "warn",
                f"{program!r} is not on PATH, so git cannot run the merge driver",
                "install mechctl where git finds it",
            )
        )
    else:
        found.append(Check("driver program", "ok", located))
    from mechctl.services.schema import stale_schemas

    stale = stale_schemas(ws.root)
    found.append(
        Check("schemas", "ok", "schemas/ matches this mechctl")
        if not stale
        else Check("schemas", "warn", f"stale: {', '.join(stale)}", "run `mechctl schema`")
    )
    hooks_path = settings["core.hooksPath"] or ""
    if hooks_path and not (ws.root / hooks_path).is_dir():
        found.append(
            Check(
                "hooks",
                "fail",
                f"core.hooksPath points to {hooks_path}, which does not exist",
                "fix or unset core.hooksPath",
            )
        )
    precommit = ws.root / ".pre-commit-config.yaml"
    if precommit.is_file() and "mechctl" in precommit.read_text(encoding="utf-8", errors="replace"):
        found.append(Check("hooks", "ok", "pre-commit runs mechctl"))
    else:
        found.append(
            Check(
                "hooks",
                "warn",
                "no pre-commit hook runs `mechctl lint`",
                "add the mechctl hook to .pre-commit-config.yaml (see the README)",
            )
        )
    remote = (
        ws.config.sync.remote
        if not any(c.status == "fail" and c.name == "config" for c in found)
        else "origin"
    )
    url = ws.git.remote_url(remote)
    found.append(
        Check("remote", "ok", f"{remote} → {url}")
        if url
        else Check(
            "remote",
            "warn",
            f"no remote {remote!r}; `mechctl sync` needs one",
            f"git remote add {remote} URL",
        )
    )
    return found
