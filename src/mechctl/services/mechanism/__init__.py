"""Mechanisms: create one, read them, change its definition, activate and retire it."""
