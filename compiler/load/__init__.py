"""The only reader of input files: safe YAML with a location for every value, and (later) Python
specs run in a separate process."""
