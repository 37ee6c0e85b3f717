"""Escalations: raise one, read them, and move one through its states."""
