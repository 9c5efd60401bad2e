"""`python -m bot …`: see `bot.entry.cli`."""

import sys

from bot.entry.cli import main

if __name__ == "__main__":
    sys.exit(main())
