"""The `streamproc` command line: one click group per concern, settings built once in main."""
