"""Hostile command lines and damaged state (issue "Hardening", items 5, 13, 20, 21): every
one ends in a located error (exit 1) or a usage error (exit 2), never a traceback; the
server never opens on a folder the build refuses; `new` never leaves a partial file."""

from __future__ import annotations

import errno
import json
import os
import socket
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path

import pytest

from gen.config import load_config
from gen.errors import ContentError
from gen.outputs.state import MANIFEST, read_manifest, read_output_state
from gen.source import newarticle
from gen.source.newarticle import create_article
from tests.conftest import (
    CLOCK,
    REPO,
    Child,
    Run,
    article,
    build,
    make_site,
    output_files,
    run_cli,
)

FOREIGN = "the output folder has files Dateline did not write; empty it or choose another --output (Dateline only removes files it wrote)"  # noqa: E501
OVER_SOURCES = "the output folder must not hold or be inside the site's sources"


def site_with_story(root: Path) -> Path:
    return make_site(root / "site", {"content/articles/a.md": article()})


def usage_error(run: Run, command: str, message: str) -> None:
    """argparse's exit 2: the usage, then `dateline COMMAND: error: MESSAGE`, nothing else."""
    assert run.code == 2, run.err
    assert run.out == ""
    assert run.err.startswith("usage: dateline ")
    assert run.err.splitlines()[-1] == f"dateline {command}: error: {message}"
    assert "Traceback" not in run.err


def located_error(run: Run, *lines: str) -> None:
    """Exit 1 with exactly `lines` on stderr and nothing on stdout."""
    assert (run.code, run.out) == (1, ""), run.err
    assert run.err.splitlines() == list(lines)


def build_failed(*problems: str) -> tuple[str, ...]:
    count = len(problems)
    plural = "s" if count != 1 else ""
    return (*problems, f"build failed: {count} error{plural}; output left as it was")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def listening(port: int) -> bool:
    with socket.socket() as client:
        client.settimeout(1)
        return client.connect_ex(("127.0.0.1", port)) == 0


def dateline(*args: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
    """`python build.py ARGS` from the repository root, as a newsroom runs it."""
    return subprocess.run(
        [sys.executable, "build.py", *args],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


# --- Item 5: the server never opens on a folder the build refuses ---------------------------


@pytest.mark.parametrize("where", ["root", "site", "foreign"])
def test_serve_refuses_an_output_folder_the_build_refuses(tmp_path: Path, where: str) -> None:
    site = site_with_story(tmp_path)
    (site / "drafts.md").write_text("secret", encoding="utf-8")
    foreign = tmp_path / "documents"
    foreign.mkdir()
    (foreign / "letter.txt").write_text("private", encoding="utf-8")
    output = {"root": Path("/"), "site": site, "foreign": foreign}[where]
    message = f"{output}: {FOREIGN if where == 'foreign' else OVER_SOURCES}"
    refused = build(site, "--output", str(output))
    located_error(refused, *build_failed(message))
    port = free_port()
    start = time.monotonic()
    run = dateline("serve", "--site", str(site), "--output", str(output), "--port", str(port))
    assert time.monotonic() - start < 30
    assert (run.returncode, run.stdout, run.stderr) == (1, "", message + "\n")
    assert not listening(port)
    assert (foreign / "letter.txt").read_text(encoding="utf-8") == "private"


def test_serve_from_the_site_folder_refuses_output_dot(tmp_path: Path) -> None:
    """`cd site && dateline serve --output .` would have served site.yaml and drafts."""
    site = site_with_story(tmp_path)
    port = free_port()
    run = subprocess.run(
        [sys.executable, str(REPO / "build.py"), "serve", "--output", ".", "--port", str(port)],
        cwd=site,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert (run.returncode, run.stdout, run.stderr) == (1, "", f".: {OVER_SOURCES}\n")
    assert not listening(port)


def test_watch_refuses_the_site_folder_as_output(tmp_path: Path) -> None:
    site = site_with_story(tmp_path)
    run = run_cli("watch", "--site", str(site), "--output", str(site / "content" / "out"))
    located_error(run, f"{site / 'content' / 'out'}: {OVER_SOURCES}")


def test_serve_starts_on_a_checked_folder_even_if_the_first_build_fails(tmp_path: Path) -> None:
    site = make_site(tmp_path / "site", {"content/articles/a.md": article(section="sport")})
    child = Child("serve", "--site", str(site), "--port", "0", "--clock", CLOCK)
    try:
        url = child.line()
        assert url.startswith("Serving http://127.0.0.1:")
        code, err = child.interrupt()
    finally:
        child.kill()
    assert code == 0
    assert "content/articles/a.md:5: unknown section 'sport'" in err
    assert "Traceback" not in err
    assert not (site / "output").exists()


# --- Item 13: `new` refuses titles that are not one line of text, and writes whole files ----


NEW = ("--section", "conflict", "--author", "david-okafor")


@pytest.mark.parametrize(
    ("title", "message"),
    [
        (
            "\udcd4\udce5",  # bytes from a terminal not set to UTF-8, as sys.argv holds them
            "the title is not UTF-8 text (bytes \\xd4\\xe5); set the terminal to UTF-8, "
            "or write the title in the article file",
        ),
        (
            "Talks \udcd4 resume",
            "the title is not UTF-8 text (bytes \\xd4); set the terminal to UTF-8, "
            "or write the title in the article file",
        ),
        (
            "a\x00b",
            "the title has a control character (U+0000) at character 2; "
            "a headline is one line of text",
        ),
        (
            "a\x1bb",
            "the title has a control character (U+001B) at character 2; "
            "a headline is one line of text",
        ),
        (
            "Allies meet\nin Kyiv",
            "the title has a line break (U+000A) at character 12; a headline is one line of text",
        ),
        (
            "a\u2028b",
            "the title has a line break (U+2028) at character 2; a headline is one line of text",
        ),
        (
            "tab\there",
            "the title has a control character (U+0009) at character 4; "
            "a headline is one line of text",
        ),
    ],
)
def test_new_refuses_a_title_that_is_not_one_line_of_text(
    tmp_path: Path, title: str, message: str
) -> None:
    site = site_with_story(tmp_path)
    run = run_cli("new", title, *NEW, "--site", str(site))
    usage_error(run, "new", f"argument title: {message}")
    assert sorted(p.name for p in (site / "content/articles").rglob("*")) == ["a.md"]
    again = build(site, "--drafts")
    assert again.code == 0, again.err
    assert again.out.startswith("Built 1 article:")


def test_create_article_refuses_a_bad_title_too(tmp_path: Path) -> None:
    """The check is the writer's as well as the command line's."""
    site = make_site(tmp_path / "site")
    config = load_config(site)
    with pytest.raises(ContentError) as caught:
        create_article(
            site, config, "x\udcd4", "conflict", "david-okafor", datetime.fromisoformat(CLOCK)
        )
    assert [str(p) for p in caught.value.problems] == [
        "content/articles: the title is not UTF-8 text (bytes \\xd4); set the terminal to "
        "UTF-8, or write the title in the article file"
    ]
    assert not (site / "content/articles").exists()


def test_new_writes_a_whole_file_and_nothing_else(tmp_path: Path) -> None:
    site = make_site(tmp_path / "site")
    title = 'Переговори: "so-called" \\ talks'
    run = run_cli("new", title, *NEW, "--site", str(site))
    assert run.code == 0, run.err
    path = Path(run.out.strip())
    assert [p.name for p in path.parent.iterdir()] == [path.name]  # no temporary file left
    text = path.read_text(encoding="utf-8")
    assert text.startswith('---\ntitle: "Переговори: \\"so-called\\" \\\\ talks"\n')
    assert "author: david-okafor\n" in text and "section: conflict\n" in text
    built = build(site, "--drafts")
    assert built.code == 0, built.err


def test_a_failed_write_leaves_no_file_and_no_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    site = make_site(tmp_path / "site")

    def full_disk(*args: object, **kwargs: object) -> None:
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(newarticle.os, "link", full_disk)
    run = run_cli("new", "Allies meet", *NEW, "--site", str(site))
    located_error(
        run, "content/articles/2026/allies-meet.md: cannot be written: no space left on device"
    )
    assert not (site / "content/articles").exists()
    monkeypatch.undo()
    again = run_cli("new", "Allies meet", *NEW, "--site", str(site))  # no "already exists"
    assert again.code == 0, again.err


def test_without_hard_links_the_file_is_still_made_whole(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    site = make_site(tmp_path / "site")

    def no_links(*args: object, **kwargs: object) -> None:
        raise OSError(errno.EPERM, os.strerror(errno.EPERM))

    monkeypatch.setattr(newarticle.os, "link", no_links)
    run = run_cli("new", "Allies meet", *NEW, "--site", str(site))
    assert run.code == 0, run.err
    path = Path(run.out.strip())
    assert [p.name for p in path.parent.iterdir()] == ["allies-meet.md"]
    assert build(site, "--drafts").code == 0


def test_new_where_the_year_folder_is_a_file(tmp_path: Path) -> None:
    site = make_site(tmp_path / "site")
    year = datetime.now().astimezone(load_config(site).tz).year
    year_folder = site / f"content/articles/{year}"
    year_folder.parent.mkdir(parents=True)
    year_folder.write_text("not a folder", encoding="utf-8")
    run = run_cli("new", "Allies meet", *NEW, "--site", str(site))
    located_error(
        run, f"content/articles/{year}/allies-meet.md: cannot be written: not a directory"
    )
    assert year_folder.read_text(encoding="utf-8") == "not a folder"


def test_new_never_overwrites_a_file_made_meanwhile(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    site = make_site(tmp_path / "site")
    real_link = os.link

    def someone_else_first(source: str, target: str) -> None:
        Path(target).write_text("a reporter's draft", encoding="utf-8")
        real_link(source, target)

    monkeypatch.setattr(newarticle.os, "link", someone_else_first)
    run = run_cli("new", "Allies meet", *NEW, "--site", str(site))
    assert run.code == 1
    assert run.err.endswith("allies-meet.md: already exists; it was left as it is\n")
    (made,) = (site / "content/articles").rglob("*.md")
    assert made.read_text(encoding="utf-8") == "a reporter's draft"
    assert [p.name for p in made.parent.iterdir()] == ["allies-meet.md"]


# --- Item 20: a damaged output state or manifest is set aside, never a traceback -----------


CORRUPT_STATE = {
    "truncated": b'{"files": {"index.html": [12',
    "a list": b"[1, 2, 3]",
    "files a list": b'{"files": [1, 2]}',
    "binary": bytes(range(256)) * 4,
    "too deep": b"[" * 100_000,
    "not utf-8": b'{"files": {"index.html": "\xff"}}',
}
BAD_ENTRIES = {
    "index.html": ["twelve", "34"],
    "2026/01/06/allies-meet-in-kyiv/index.html": ["12", 34],
    "404.html": [-5, 1],
    "feed.xml": [1.5, 2],
    "rss.xml": [True, 1],
    "sitemap.xml": [1e999, 1],
    "robots.txt": [1, 2, 3],
    "feed.json": None,
}


def state_file(site: Path) -> Path:
    (path,) = (site / ".cache").glob("output-*.json")
    return path


@pytest.mark.parametrize("kind", [*CORRUPT_STATE, "bad entries"])
def test_a_damaged_output_state_file_only_means_comparing_bytes(tmp_path: Path, kind: str) -> None:
    site = site_with_story(tmp_path)
    assert build(site).code == 0
    clean = output_files(site / "output")
    path = state_file(site)
    if kind == "bad entries":
        path.write_text(json.dumps({"files": BAD_ENTRIES}).replace("Infinity", "1e999"))
    else:
        path.write_bytes(CORRUPT_STATE[kind])
    run = build(site)
    assert run.code == 0, run.err
    assert "Traceback" not in run.err
    assert output_files(site / "output") == clean
    state = json.loads(path.read_text(encoding="utf-8"))  # written again, whole
    assert set(state["files"]) == set(clean) - {MANIFEST}


def test_read_output_state_sets_an_unreadable_file_aside_with_a_warning(tmp_path: Path) -> None:
    out = tmp_path / "output"
    out.mkdir()
    (out / MANIFEST).write_text(json.dumps({"files": {"a.html": "ab" * 32}}), encoding="utf-8")
    state = tmp_path / "output-x.json"
    state.write_bytes(b"\x00\x01garbage")
    warnings: list[str] = []
    assert read_output_state(out, state, warnings.append) == {}
    assert warnings == [
        f"the cache file {state} could not be read; it was set aside "
        "(output files are compared byte by byte)"
    ]
    assert not state.exists()
    # Malformed entries are ignored one by one, silently; good ones are kept.
    state.write_text(json.dumps({"files": {"a.html": [3, 7], "b.html": ["3", 7]}}))
    assert read_output_state(out, state, warnings.append) == {"a.html": ("ab" * 32, 3, 7)}
    assert len(warnings) == 1
    assert read_output_state(out, tmp_path / "missing.json", warnings.append) == {}
    assert len(warnings) == 1


def test_a_fifo_in_place_of_the_state_file_does_not_hang(tmp_path: Path) -> None:
    out = tmp_path / "output"
    out.mkdir()
    fifo = tmp_path / "output-x.json"
    os.mkfifo(fifo)
    assert read_output_state(out, fifo) == {}


@pytest.mark.parametrize(
    "data",
    [
        b'{"files": {"index.html": ',
        b"[" * 100_000,
        bytes(range(256)),
        b'{"files": {"index.html": 5, "../../etc/passwd": "x", "": "y"}}',
        b'{"files": "index.html"}',
    ],
)
def test_a_damaged_manifest_is_no_traceback(tmp_path: Path, data: bytes) -> None:
    site = site_with_story(tmp_path)
    assert build(site).code == 0
    clean = output_files(site / "output")
    (site / "output" / MANIFEST).write_bytes(data)
    assert all(isinstance(v, str) for v in read_manifest(site / "output").values())
    run = build(site)
    assert run.code == 0, run.err
    assert "Traceback" not in run.err
    assert output_files(site / "output") == clean
    assert Path("/etc/passwd").exists()


# --- Item 21: wrong paths and numbers on the command line -----------------------------------


def test_a_site_that_is_a_file(tmp_path: Path) -> None:
    file = tmp_path / "passwd"
    file.write_text("root:x:0:0::/root:/bin/sh\n", encoding="utf-8")
    message = f"{file}: is a file, not a folder; give --site the folder that holds site.yaml"
    located_error(build(file), *build_failed(message))
    located_error(run_cli("serve", "--site", str(file)), message)
    located_error(run_cli("watch", "--site", str(file)), message)
    located_error(run_cli("new", "Title", *NEW, "--site", str(file)), message)


@pytest.mark.parametrize("below", ["nonexistent", "passwd/x"])
def test_a_site_that_does_not_exist(tmp_path: Path, below: str) -> None:
    (tmp_path / "passwd").write_text("x", encoding="utf-8")
    site = tmp_path / below
    message = f"site.yaml: no site.yaml in {site} (give the site folder with --site)"
    located_error(build(site), *build_failed(message))
    located_error(run_cli("serve", "--site", str(site)), message)
    located_error(run_cli("new", "Title", *NEW, "--site", str(site)), message)


def test_a_site_yaml_that_is_a_folder(tmp_path: Path) -> None:
    site = tmp_path / "site"
    (site / "site.yaml").mkdir(parents=True)
    located_error(build(site), *build_failed("site.yaml: not a regular file"))


@pytest.mark.skipif(not Path("/proc/self").is_dir(), reason="needs Linux /proc")
def test_an_output_folder_that_cannot_be_made_in_proc(tmp_path: Path) -> None:
    site = site_with_story(tmp_path)
    message = "/proc/x: cannot create the output folder: no such file or directory"
    located_error(build(site, "--output", "/proc/x"), *build_failed(message))
    located_error(run_cli("serve", "--site", str(site), "--output", "/proc/x"), message)


def test_an_output_folder_below_a_file(tmp_path: Path) -> None:
    site = site_with_story(tmp_path)
    (tmp_path / "file").write_text("x", encoding="utf-8")
    output = tmp_path / "file" / "out"
    message = f"{output}: cannot create the output folder: not a directory"
    located_error(build(site, "--output", str(output)), *build_failed(message))
    assert not (site / "output").exists()


def test_an_output_folder_that_is_a_symlink_loop(tmp_path: Path) -> None:
    site = site_with_story(tmp_path)
    loop = tmp_path / "loop"
    loop.symlink_to("loop")
    run = build(site, "--output", str(loop))
    assert (run.code, run.out) == (1, "")
    # Python 3.11 reports the loop from Path.resolve (RuntimeError), later ones as ELOOP.
    assert run.err.splitlines()[0] in (
        f"{loop}: cannot be resolved: Symlink loop from '{loop}'",
        f"{loop}: cannot be read: too many levels of symbolic links",
    )
    assert run.err.splitlines()[1:] == ["build failed: 1 error; output left as it was"]


def test_an_output_path_that_is_a_file(tmp_path: Path) -> None:
    site = site_with_story(tmp_path)
    (tmp_path / "file").write_text("x", encoding="utf-8")
    message = f"{tmp_path / 'file'}: the output path is a file, not a folder"
    located_error(build(site, "--output", str(tmp_path / "file")), *build_failed(message))


def test_a_missing_output_folder_is_not_left_behind_by_the_check(tmp_path: Path) -> None:
    site = make_site(tmp_path / "site", {"content/articles/a.md": article(section="sport")})
    output = tmp_path / "new" / "out"
    assert build(site, "--output", str(output)).code == 1
    assert sorted(p.name for p in tmp_path.iterdir()) == ["site"]


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--jobs", "0"], "the number of jobs must be a whole number from 1 to 256, got '0'"),
        (["--jobs", "-3"], "the number of jobs must be a whole number from 1 to 256, got '-3'"),
        (["--jobs", "many"], "the number of jobs must be a whole number from 1 to 256, got 'many'"),
        (
            ["--jobs", "100000"],
            "the number of jobs must be a whole number from 1 to 256, got '100000'",
        ),
        (
            ["--clock", "garbage"],
            "not an ISO date and time: 'garbage' (e.g. 2026-01-06T12:00:00+02:00)",
        ),
        (
            ["--clock", "2026-01-06\x1b[2J"],
            "not an ISO date and time: '2026-01-06\\x1b[2J' (e.g. 2026-01-06T12:00:00+02:00)",
        ),
        (
            ["--clock", "\udcd4"],
            "not an ISO date and time: '\\udcd4' (e.g. 2026-01-06T12:00:00+02:00)",
        ),
    ],
)
def test_wrong_numbers_and_dates_are_usage_errors(
    tmp_path: Path, args: list[str], message: str
) -> None:
    site = site_with_story(tmp_path)
    option = args[0]
    usage_error(
        run_cli("build", "--site", str(site), *args), "build", f"argument {option}: {message}"
    )
    usage_error(
        run_cli("watch", "--site", str(site), *args), "watch", f"argument {option}: {message}"
    )
    assert not (site / "output").exists()


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (
            ["--port", "70000"],
            "argument --port: the port must be a whole number from 0 to 65535, got '70000'",
        ),
        (
            ["--port", "-1"],
            "argument --port: the port must be a whole number from 0 to 65535, got '-1'",
        ),
        (
            ["--port", "http"],
            "argument --port: the port must be a whole number from 0 to 65535, got 'http'",
        ),
        (
            ["--host", ""],
            "argument --host: not an address: '' (e.g. 127.0.0.1, or 0.0.0.0 for the network)",
        ),
    ],
)
def test_wrong_ports_and_hosts_are_usage_errors(
    tmp_path: Path, args: list[str], message: str
) -> None:
    site = site_with_story(tmp_path)
    usage_error(run_cli("serve", "--site", str(site), *args), "serve", message)
    assert not (site / "output").exists()


def test_serve_with_port_70000_in_a_real_process(tmp_path: Path) -> None:
    site = site_with_story(tmp_path)
    run = dateline("serve", "--site", str(site), "--port", "70000")
    assert run.returncode == 2
    assert run.stdout == ""
    assert run.stderr.splitlines()[-1] == (
        "dateline serve: error: argument --port: the port must be a whole number from 0 to "
        "65535, got '70000'"
    )


def test_no_free_port_up_to_65535_is_a_located_error(tmp_path: Path) -> None:
    site = site_with_story(tmp_path)
    with socket.socket() as taken:
        try:
            taken.bind(("127.0.0.1", 65535))
        except OSError:
            pytest.skip("port 65535 is in use on this machine")
        taken.listen()
        run = run_cli("serve", "--site", str(site), "--port", "65535", "--clock", CLOCK)
    assert run.code == 1
    # Preview.bind tries 65536 and fails (OverflowError), or stops at 65535 once it knows.
    assert run.err in (
        "cannot serve on 127.0.0.1: no free port up to 65535\n",
        "cannot serve on 127.0.0.1: Address already in use\n",
    )
    assert not (site / "output").exists()


def test_ctrl_c_during_a_build_says_so_without_a_traceback(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import gen.pipeline

    site = make_site(tmp_path / "site", {"content/articles/a.md": article("Talks in Kyiv")})

    def interrupted(*args: object, **kwargs: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(gen.pipeline, "build", interrupted)
    result = build(site)
    assert result.code == 130  # as a shell reports a command Ctrl-C ended
    assert "build interrupted (Ctrl-C)" in result.err
    assert "Traceback" not in result.err
    assert not (site / "output").exists()
