"""Shared test helpers: small sites written inline, the build run as the CLI runs it."""

from __future__ import annotations

import io
import os
import shutil
import struct
import zlib
from collections.abc import Iterator
from contextlib import redirect_stderr, redirect_stdout
from dataclasses import dataclass
from pathlib import Path

import pytest

from gen.cli import main

REPO = Path(__file__).resolve().parent.parent
CLOCK = "2026-11-27T12:00:00+02:00"
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def png(width: int, height: int) -> bytes:
    """A real grey PNG of the given size, made without Pillow."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    rows = b"".join(b"\x00" + b"\x80\x80\x80" * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


TINY_PNG = png(4, 3)

SITE_YAML = """\
title: Test Ledger
base_url: https://example.org/
language: en
timezone: Europe/Kyiv
description: A test site.
publisher:
  name: Test Ledger
sections:
  conflict:
    title: Conflict
    description: The fighting.
  diplomacy:
    title: Diplomacy
per_page: 2
"""

AUTHOR_YAML = """\
name: David Okafor
role: Diplomatic correspondent
bio: Covers diplomacy.
"""


DEFAULT_BODY = (
    "National security advisers met in Kyiv on Saturday.\n\n## What was agreed\n\nLittle.\n"
)


def article(
    title: str = "Allies meet in Kyiv",
    *,
    date: str = "2026-01-06T09:30:00+02:00",
    section: str = "diplomacy",
    author: str = "david-okafor",
    extra: str = "",
    body: str = DEFAULT_BODY,
) -> str:
    """The text of a valid article, with `extra` front matter lines appended."""
    return (
        f"---\ntitle: {title}\nauthor: {author}\ndate: {date}\nsection: {section}\n"
        f"{extra}---\n\n{body}"
    )


def make_site(root: Path, files: dict[str, str | bytes] | None = None) -> Path:
    """A minimal valid site in `root`, with `files` (path → text) added or replacing defaults.

    A value of "" for site.yaml or an author file keeps it out.
    """
    defaults: dict[str, str | bytes] = {
        "site.yaml": SITE_YAML,
        "content/authors/david-okafor.yaml": AUTHOR_YAML,
        "content/images/photo.png": TINY_PNG,
    }
    merged = {**defaults, **(files or {})}
    for rel, data in merged.items():
        if data == "" and rel in defaults:
            continue
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(data, bytes):
            path.write_bytes(data)
        else:
            path.write_text(data, encoding="utf-8")
    return root


@dataclass
class Run:
    """The result of running the CLI in-process."""

    code: int
    out: str
    err: str


def run_cli(*args: str) -> Run:
    """Run `dateline ARGS` in this process, capturing stdout and stderr."""
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        code = main(list(args))
    return Run(code, out.getvalue(), err.getvalue())


def build(site: Path, *args: str) -> Run:
    """Build `site` into `site/output` at the test clock."""
    return run_cli("build", "--site", str(site), "--clock", CLOCK, *args)


def output_files(folder: Path) -> dict[str, bytes]:
    """Every file under `folder` (relative posix path → bytes)."""
    return {
        p.relative_to(folder).as_posix(): p.read_bytes()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-golden", action="store_true", help="rewrite tests/golden/ from the current build"
    )


def require_chromium() -> str:
    """The Chromium path; skips without it, but fails under CI, where it must be installed."""
    if shutil.which(CHROMIUM) or Path(CHROMIUM).is_file():
        return CHROMIUM
    message = f"needs Chromium at {CHROMIUM} (Debian: apt-get install chromium)"
    if os.environ.get("CI") == "true":
        pytest.fail(f"{message}; CI must install it", pytrace=False)
    pytest.skip(message)


def require_java() -> str:
    """The java executable; skips without it, but fails under CI."""
    java = shutil.which("java")
    if java:
        return java
    message = "needs a Java runtime for the Nu HTML Checker (Debian: default-jre-headless)"
    if os.environ.get("CI") == "true":
        pytest.fail(f"{message}; CI must install it", pytrace=False)
    pytest.skip(message)


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    """A headless system Chromium driven by Playwright (never a downloaded browser)."""
    path = require_chromium()
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=path, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


@pytest.fixture(scope="session")
def sample_build(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The bundled sample site, built once per test session (with drafts left out)."""
    out = tmp_path_factory.mktemp("sample") / "output"
    result = run_cli("build", "--site", str(REPO), "--output", str(out), "--clock", CLOCK)
    assert result.code == 0, result.err
    return out
