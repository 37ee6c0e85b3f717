"""One module per operation. Services return data and raise MechctlError subclasses."""
