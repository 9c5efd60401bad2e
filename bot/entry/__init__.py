"""Entry points: the CLI, the web and worker processes, the demo, and the one wiring factory."""
