"""The one derived index of the record files (docs/design.md §7), and the reads through it.

Deleting `.git/mechctl/index.sqlite` changes no result, only speed. One idea a module:

- `store`: the schema, the store's place, what a row's stat data vouch for;
- `build`: checking files into rows, on all cores when cold;
- `changes`: what changed since the index was last written, and writing it;
- `query`: `open_index` and the read API (`Index`);
- `facts`: escalate's facts (levels, a mechanism's owner and status), read without pydantic,
  ruamel or GitPython.

The index lives in the worktree's git folder (the common one for the main worktree): it
mirrors one work tree and one git index.
"""

from mechctl.services.core.index.build import check_file
from mechctl.services.core.index.facts import (
    MechanismFacts,
    config_facts,
    escalation_levels,
    facts_of,
    mechanism_facts,
)
from mechctl.services.core.index.query import Index, open_index
from mechctl.services.core.index.store import (
    ESCALATION,
    MECHANISM,
    VERSION,
    Progress,
    Row,
    kind_of,
    salt_of,
)

__all__ = [
    "ESCALATION",
    "MECHANISM",
    "VERSION",
    "Index",
    "MechanismFacts",
    "Progress",
    "Row",
    "check_file",
    "config_facts",
    "escalation_levels",
    "facts_of",
    "kind_of",
    "mechanism_facts",
    "open_index",
    "salt_of",
]
