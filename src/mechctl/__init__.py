"""mechctl: an organisation's mechanisms and escalations, as YAML records in git."""

__version__ = "0.1.0"

# The project's home: SARIF's `informationUri`, and the base of each lint rule's `helpUri`
# (docs/lint-rules.md there). Keep it equal to `[project.urls] Homepage` in pyproject.toml.
HOMEPAGE = "https://github.com/mechctl/mechctl"
