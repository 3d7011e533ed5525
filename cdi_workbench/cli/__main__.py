"""`python -m cdi_workbench.cli ...`: the `cdi` command."""

import sys

from . import main

if __name__ == "__main__":  # walk_packages imports this module too (the wheel and import tests)
    sys.exit(main())
