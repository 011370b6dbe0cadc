"""The lake tests share ``lakeutil`` (also run as a writer process by some tests)."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
