"""mechctl: an organisation's mechanisms and escalations, as YAML records in git."""

__version__ = "0.1.0"
