"""Frozen entry point of the windowed app (no arguments: the GUI; a subcommand: the CLI)."""
import sys

from focalpoint.__main__ import main

sys.exit(main())
