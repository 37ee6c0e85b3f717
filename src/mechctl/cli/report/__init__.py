"""`mechctl report`: the command, and its text, markdown, HTML and JSON renderings."""
