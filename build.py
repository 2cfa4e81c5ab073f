#!/usr/bin/env python3
"""Build, preview or check a Dateline site: `python build.py --help`."""

from gen.cli import run

if __name__ == "__main__":
    run()
