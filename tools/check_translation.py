"""Check action-plan translation overlays: see focalpoint/catalog/overlay_check.py."""
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from focalpoint.catalog.overlay_check import main  # noqa: E402

sys.exit(main(sys.argv[1:]))
