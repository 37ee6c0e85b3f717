"""What the operations share: the workspace, the transaction, the catalog, derived facts, and
how a commit's action is named."""
