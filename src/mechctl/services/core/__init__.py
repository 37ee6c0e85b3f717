"""What the operations share: the workspace, the transaction, the catalog, derived facts."""
