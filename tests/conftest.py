"""Shared test helpers: small sites written inline, the build run as the CLI runs it."""

from __future__ import annotations

import io
import json
import os
import queue
import shutil
import signal
import struct
import subprocess
import sys
import threading
import time
import zlib
from collections.abc import Callable, Iterator
from contextlib import redirect_stderr, redirect_stdout
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

import pytest

from gen.cli import main, make_parser
from gen.console import options_from
from gen.preview.session import Preview, settings_from

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


class Noted:
    """A list that a build's forked processes add to as well (the search index is made in
    one, gen.engine.forked): each item a line of JSON in a file."""

    def __init__(self, path: Path) -> None:
        self.path = path
        path.write_text("", encoding="utf-8")

    def append(self, item: object) -> None:
        with self.path.open("a", encoding="utf-8") as handle:
            handle.write(json.dumps(item) + "\n")

    def clear(self) -> None:
        self.path.write_text("", encoding="utf-8")

    @property
    def items(self) -> list[Any]:
        return [json.loads(line) for line in self.path.read_text("utf-8").splitlines()]


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


# --- Preview helpers (issue 3: gen/watch.py, gen/serve.py, gen/preview.py) -----------------


def wait_until(predicate: Callable[[], object], timeout: float = 15.0) -> bool:
    """Poll `predicate` until it is true; False after `timeout` seconds (never a fixed sleep)."""
    deadline = time.monotonic() + timeout
    while not predicate():
        if time.monotonic() > deadline:
            return False
        time.sleep(0.01)
    return True


def vim_save(path: Path, text: str) -> None:
    """Save like vim and "safe write" editors: probe file, new file, rename over the old one."""
    probe = path.with_name("4913")
    probe.write_text("", encoding="utf-8")
    probe.unlink()
    fresh = path.with_name(f".{path.name}.swx~")
    fresh.write_text(text, encoding="utf-8")
    fresh.replace(path)


class Child:
    """`python build.py ARGS` in a subprocess, its stdout read line by line with timeouts."""

    def __init__(self, *args: str) -> None:
        self.process = subprocess.Popen(
            [sys.executable, str(REPO / "build.py"), *args],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            # Shells start background jobs with SIGINT ignored; a terminal's Ctrl-C is not.
            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
        )
        self.lines: queue.SimpleQueue[str] = queue.SimpleQueue()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self.lines.put(line.rstrip("\n"))

    def line(self, timeout: float = 30.0) -> str:
        """The next line of stdout."""
        return self.lines.get(timeout=timeout)

    def interrupt(self, timeout: float = 20.0) -> tuple[int, str]:
        """Ctrl-C; the exit status and stderr."""
        self.process.send_signal(signal.SIGINT)
        try:
            _, err = self.process.communicate(timeout=timeout)
        finally:
            self.kill()
        return self.process.returncode, err

    def kill(self) -> None:
        if self.process.poll() is None:
            self.process.kill()
            self.process.wait()


class PreviewStarter:
    """Starts previews of test sites at the test clock; stops every one at the end of a test."""

    def __init__(self) -> None:
        self.started: list[Preview] = []

    def __call__(self, site: Path, *, serve: bool = True, quiet: float = 0.05) -> Preview:
        # The command line `serve` parses, so the builds are the ones `serve` runs (cache included).
        args = make_parser().parse_args(["serve", "--site", str(site), "--clock", CLOCK])
        settings = replace(settings_from(args), serve=serve, port=0, quiet=quiet)
        preview = Preview(settings, lambda: options_from(args), out=io.StringIO())
        self.started.append(preview)
        if serve:
            preview.bind()
        preview.start()
        return preview

    def stop_all(self) -> None:
        for preview in reversed(self.started):
            preview.stop()


@pytest.fixture
def start_preview() -> Iterator[PreviewStarter]:
    """`start_preview(site)`: a running preview (free port, 50 ms quiet period), stopped after."""
    starter = PreviewStarter()
    yield starter
    starter.stop_all()
