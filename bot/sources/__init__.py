"""The social networks: one package per network, each declaring its `Network` (see `base`)."""
