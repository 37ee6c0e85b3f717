"""`mechctl site`: a static site of the records, built from the records and git (docs/design.md)."""
