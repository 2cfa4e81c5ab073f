"""Dateline: a static site generator for newsrooms."""

__version__ = "0.1.0"
