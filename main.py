"""Start CDI Workbench: `python main.py [AUDIT_DB]`."""

import sys

from ui.app import run

if __name__ == "__main__":
    sys.exit(run(sys.argv[1] if len(sys.argv) > 1 else None))
