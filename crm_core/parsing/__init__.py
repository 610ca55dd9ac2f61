"""The language layer: the built-in rule parser, the GPT-4o parser and the hybrid of both."""
