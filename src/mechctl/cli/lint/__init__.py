"""`mechctl lint` and `mechctl codeowners`: the command, its output formats, and the warm path."""
