#!/usr/bin/env python3
"""Build, preview or check a Dateline site: `python build.py --help`."""

import sys

from gen.cli import main

if __name__ == "__main__":
    sys.exit(main())
