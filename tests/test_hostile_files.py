"""A hostile contributor's tree: symlinks, special files and odd file names (issue
"Hardening", items 1, 10 and 19).

The policy: Dateline reads only regular files inside the site folder. A symlink whose target
resolves outside the site is `symlink to outside the site` (a folder too: it is not walked);
a symlink into a hidden file or folder of the site (`.git`, whose config holds CI
credentials) is `symlink to a hidden file or folder`; a dangling one is `broken symlink`;
a FIFO, socket or device, even behind a symlink, is `not a regular file`. A symlink to a
regular file or folder inside the site is followed, and a folder is read at most once (a
loop is an error). Names must be UTF-8: a name that is not is shown with each byte that is
not UTF-8 as a `\\xNN` escape (Python's "backslashreplace": `b"\\xd4\\xee\\xf2\\xee.png"` is
printed as `\\xd4\\xee\\xf2\\xee.png`, UTF-8 letters stay as they are). Names are read in Unicode
NFC, so an NFD name makes the same story; an NFC and an NFD file of one name is an error
naming both.

Every build that must fail runs with a timeout (the ones that could hang or eat memory in
a subprocess with `timeout=30` and a memory limit): a regression fails, it does not hang.
"""

from __future__ import annotations

import os
import resource
import shutil
import signal
import socket
import subprocess
import sys
import unicodedata
from collections.abc import Iterator
from pathlib import Path
from types import FrameType

import pytest

from gen.errors import ContentError, ErrorReport
from gen.pages.theme import read_theme
from gen.source.read import read_source, read_tree
from tests.conftest import CLOCK, REPO, SITE_YAML, article, build, make_site

SECRET = "DATELINE-CI-SECRET-5f0c2b"
SECRET_ENV = "DATELINE_TEST_SECRET"
GUARD_SECONDS = 60
CHILD_SECONDS = 30
BUILD = (sys.executable, str(REPO / "build.py"), "build")
CHILD_MEMORY = 2 << 30  # bytes of address space: reading /dev/zero fails fast, not the host


@pytest.fixture(autouse=True)
def timeout_guard() -> Iterator[None]:
    """Fail, rather than hang, an in-process build that blocks (SIGALRM interrupts it)."""

    def expire(signum: int, frame: FrameType | None) -> None:
        raise TimeoutError(f"test took over {GUARD_SECONDS} s: did a build block on a file?")

    previous = signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, GUARD_SECONDS)
    try:
        yield
    finally:
        signal.setitimer(signal.ITIMER_REAL, 0)
        signal.signal(signal.SIGALRM, previous)


class Built:
    """A small site built once, a secret beside it, and a snapshot of its output folder."""

    def __init__(self, tmp_path: Path, files: dict[str, str | bytes] | None = None) -> None:
        self.root = tmp_path
        self.secret = tmp_path / "secret.txt"
        self.secret.write_text(SECRET + "\n", encoding="utf-8")
        self.outside = tmp_path / "outside"
        self.outside.mkdir()
        (self.outside / "notes.txt").write_text(SECRET, encoding="utf-8")
        self.site = make_site(
            tmp_path / "site", {"content/articles/a.md": article(), **(files or {})}
        )
        first = build(self.site)
        assert first.code == 0, first.err
        self.before = self.snapshot()
        self.images = self.site / "content/images"

    def snapshot(self) -> dict[str, tuple[bytes, int]]:
        """Every file of the output folder: its bytes and mtime."""
        out = self.site / "output"
        return {
            p.relative_to(out).as_posix(): (p.read_bytes(), p.stat().st_mtime_ns)
            for p in sorted(out.rglob("*"))
            if p.is_file()
        }

    def fails_with(self, code: int, err: str, out: str, *expected: str) -> None:
        """The build printed exactly `expected`, exited 1, leaked nothing, changed nothing."""
        assert "Traceback" not in err, err
        assert code == 1, out + err
        lines = err.splitlines()
        count = len(expected)
        assert lines == [
            *expected,
            f"build failed: {count} error{'s' if count != 1 else ''}; output left as it was",
        ]
        self.leaks_nothing(out + err)
        assert self.snapshot() == self.before

    def leaks_nothing(self, printed: str = "") -> None:
        """The secret is in no byte the build printed or wrote (output and cache)."""
        assert SECRET not in printed
        for folder in (self.site / "output", self.site / ".cache"):
            for path in folder.rglob("*") if folder.is_dir() else ():
                if path.is_file() and not path.is_symlink():
                    assert SECRET.encode() not in path.read_bytes(), path


def built(tmp_path: Path, files: dict[str, str | bytes] | None = None) -> Built:
    return Built(tmp_path, files)


def run_in_process(b: Built, *expected: str) -> None:
    result = build(b.site)
    b.fails_with(result.code, result.err, result.out, *expected)


def run_in_child(b: Built, *expected: str) -> None:
    """`python build.py build` in a subprocess: killed after 30 s, memory capped, the
    secret in its environment."""

    def limit() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (CHILD_MEMORY, CHILD_MEMORY))

    child = subprocess.run(
        [*BUILD, "--site", str(b.site), "--clock", CLOCK, "--jobs", "1"],
        cwd=REPO,
        env={**os.environ, SECRET_ENV: SECRET},
        capture_output=True,
        text=True,
        timeout=CHILD_SECONDS,
        preexec_fn=limit,
    )
    b.fails_with(child.returncode, child.stderr, child.stdout, *expected)


# --- Symlinks under content/ ---------------------------------------------------------------


def test_a_symlink_to_a_file_outside_the_site_is_refused(tmp_path: Path) -> None:
    b = built(tmp_path)
    (b.images / "leak.txt").symlink_to(b.secret)
    run_in_process(b, "content/images/leak.txt: symlink to outside the site")


def test_a_relative_symlink_climbing_out_of_the_site_is_refused(tmp_path: Path) -> None:
    b = built(tmp_path)
    (b.site / "content/articles/leak.md").symlink_to("../../../secret.txt")
    run_in_process(b, "content/articles/leak.md: symlink to outside the site")


@pytest.mark.skipif(not Path("/proc/self/environ").exists(), reason="needs /proc")
def test_a_symlink_to_the_process_environment_is_refused(tmp_path: Path) -> None:
    b = built(tmp_path)
    (b.images / "env.txt").symlink_to("/proc/self/environ")
    run_in_child(b, "content/images/env.txt: symlink to outside the site")


def test_a_dangling_symlink_is_a_broken_symlink(tmp_path: Path) -> None:
    b = built(tmp_path)
    (b.images / "gone.png").symlink_to("missing.png")
    run_in_process(b, "content/images/gone.png: broken symlink")


def test_a_symlink_loop_is_a_broken_symlink(tmp_path: Path) -> None:
    b = built(tmp_path)
    (b.images / "a.png").symlink_to("b.png")
    (b.images / "b.png").symlink_to("a.png")
    run_in_process(
        b, "content/images/a.png: broken symlink", "content/images/b.png: broken symlink"
    )


def test_a_dangling_symlink_pointing_outside_is_outside(tmp_path: Path) -> None:
    b = built(tmp_path)
    (b.images / "gone.png").symlink_to(tmp_path / "nowhere.png")
    run_in_process(b, "content/images/gone.png: symlink to outside the site")


def test_fifos_never_block_the_build(tmp_path: Path) -> None:
    b = built(tmp_path)
    os.mkfifo(tmp_path / "fifo")
    (b.images / "outside-pipe.txt").symlink_to(tmp_path / "fifo")
    os.mkfifo(b.images / "pipe.txt")
    os.mkfifo(b.site / "pipe-in-site")
    (b.images / "inside-pipe.txt").symlink_to("../../pipe-in-site")
    run_in_child(
        b,
        "content/images/inside-pipe.txt: not a regular file",
        "content/images/outside-pipe.txt: symlink to outside the site",
        "content/images/pipe.txt: not a regular file",
    )


def test_a_fifo_as_an_article_never_blocks(tmp_path: Path) -> None:
    b = built(tmp_path)
    os.mkfifo(b.site / "content/articles/b.md")
    os.mkfifo(b.site / "content/authors/olena.yaml")
    run_in_child(
        b,
        "content/articles/b.md: not a regular file",
        "content/authors/olena.yaml: not a regular file",
    )


def test_a_socket_is_not_a_regular_file(tmp_path: Path) -> None:
    b = built(tmp_path)
    path = b.images / "s.sock"
    if len(os.fsencode(path)) > 100:
        pytest.skip("the temporary path is too long for a Unix socket")
    with socket.socket(socket.AF_UNIX) as sock:
        sock.bind(str(path))
        run_in_process(b, "content/images/s.sock: not a regular file")


@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="needs /dev/zero")
def test_a_symlink_to_dev_zero_is_refused_without_reading(tmp_path: Path) -> None:
    b = built(tmp_path)
    (b.images / "zero.bin").symlink_to("/dev/zero")
    run_in_child(b, "content/images/zero.bin: symlink to outside the site")


def test_a_symlinked_folder_outside_the_site_is_refused_and_not_walked(tmp_path: Path) -> None:
    b = built(tmp_path)
    (b.images / "shared").symlink_to(b.outside, target_is_directory=True)
    os.mkfifo(b.outside / "pipe.txt")  # walking it would report (or block on) this
    run_in_child(b, "content/images/shared: symlink to outside the site")


def test_a_symlinked_content_folder_outside_is_refused(tmp_path: Path) -> None:
    b = built(tmp_path)
    articles = b.site / "content/articles"
    (articles / "a.md").rename(b.outside / "a.md")
    articles.rmdir()
    articles.symlink_to(b.outside, target_is_directory=True)
    run_in_process(b, "content/articles: symlink to outside the site")


def test_a_symlink_into_the_sites_git_folder_is_refused(tmp_path: Path) -> None:
    b = built(tmp_path)
    (b.site / ".git").mkdir()
    (b.site / ".git/config").write_text(f"[http]\n\textraheader = {SECRET}\n", encoding="utf-8")
    (b.images / "config.txt").symlink_to("../../.git/config")
    (b.images / "git").symlink_to("../../.git", target_is_directory=True)
    run_in_process(
        b,
        "content/images/config.txt: symlink to a hidden file or folder",
        "content/images/git: symlink to a hidden file or folder",
    )


def test_a_symlinked_folder_loop_is_reported_not_walked_forever(tmp_path: Path) -> None:
    b = built(tmp_path)
    (b.images / "again").symlink_to(".", target_is_directory=True)
    (b.images / "up").symlink_to("../..", target_is_directory=True)
    run_in_process(
        b,
        "content/images/again: symlink to a folder already read as content/images",
        "content/images/up: symlink to a folder holding content, which is read already",
    )


def test_symlinks_inside_the_site_are_the_same_files(tmp_path: Path) -> None:
    b = built(tmp_path)
    (b.site / "media").mkdir()
    (b.site / "media/report.pdf").write_bytes(b"%PDF-1.4 inside")
    (b.images / "alias.png").symlink_to("photo.png")
    (b.site / "content/files").symlink_to("../media", target_is_directory=True)
    (b.site / "content/articles/linked.md").symlink_to("a.md")
    pictures = article("Pictures", body="![A](images/photo.png)\n\n![B](images/alias.png)\n")
    (b.site / "content/articles/pictures.md").write_text(pictures, encoding="utf-8")
    result = build(b.site)
    assert result.code == 0, result.err
    assert "Traceback" not in result.err
    out = b.site / "output"
    assert (out / "images/alias.png").read_bytes() == (out / "images/photo.png").read_bytes()
    assert (out / "files/report.pdf").read_bytes() == b"%PDF-1.4 inside"
    assert (out / "2026/01/06/linked/index.html").is_file()
    b.leaks_nothing(result.out + result.err)


def test_every_problem_is_reported_at_once(tmp_path: Path) -> None:
    b = built(tmp_path)
    (b.images / "leak.txt").symlink_to(b.secret)
    (b.images / "gone.png").symlink_to("missing.png")
    os.mkfifo(b.images / "pipe.txt")
    (b.site / "content/articles/b.md").write_text("no front matter\n", encoding="utf-8")
    run_in_child(
        b,
        "content/articles/b.md:1: no front matter: the file must start with a '---' line",
        "content/images/gone.png: broken symlink",
        "content/images/leak.txt: symlink to outside the site",
        "content/images/pipe.txt: not a regular file",
    )


def test_reading_the_tree_costs_no_realpath_per_regular_file(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    files: dict[str, str | bytes] = {f"content/files/f{i}.txt": "x" for i in range(200)}
    site = make_site(tmp_path, files)
    (site / "content/images/alias.png").symlink_to("photo.png")
    calls: list[str] = []
    realpath = os.path.realpath

    def counting(path: str | os.PathLike[str]) -> str:
        calls.append(os.fspath(path))
        return realpath(path)

    monkeypatch.setattr(os.path, "realpath", counting)  # the module read.py calls
    report = ErrorReport()
    tree = read_tree(site, report)
    assert not report.errors
    assert len(tree.assets) == 202
    assert len(calls) == 2  # the site folder, and the one symlink


def test_a_watch_save_of_a_symlink_outside_is_refused(tmp_path: Path) -> None:
    site = make_site(tmp_path / "site")
    (tmp_path / "secret.md").write_text(article(SECRET), encoding="utf-8")
    path = site / "content/articles/a.md"
    path.parent.mkdir(parents=True)
    path.symlink_to(tmp_path / "secret.md")
    report = ErrorReport()
    assert read_source(path, site, report) is None
    assert [str(p) for p in report.errors] == ["content/articles/a.md: symlink to outside the site"]


# --- The site's themes/ ----------------------------------------------------------------------

PAPER: dict[str, str | bytes] = {
    "site.yaml": SITE_YAML + "theme: paper\n",
    "themes/paper/static/extra.css": "a{}\n",
}


def test_a_theme_static_file_symlinked_outside_is_refused(tmp_path: Path) -> None:
    b = built(tmp_path, PAPER)
    (b.site / "themes/paper/static/leak.css").symlink_to(b.secret)
    run_in_process(b, "themes/paper/static/leak.css: symlink to outside the site")


def test_a_theme_template_symlinked_outside_is_refused(tmp_path: Path) -> None:
    b = built(tmp_path, PAPER)
    (b.site / "themes/paper/templates").mkdir()
    (b.site / "themes/paper/templates/404.html").symlink_to(b.secret)
    (b.site / "themes/paper/templates/.hidden.html").symlink_to(b.secret)
    run_in_process(
        b,
        "themes/paper/templates/.hidden.html: symlink to outside the site",
        "themes/paper/templates/404.html: symlink to outside the site",
    )


def test_a_theme_fifo_never_blocks(tmp_path: Path) -> None:
    b = built(tmp_path, PAPER)
    os.mkfifo(b.site / "themes/paper/static/pipe.css")
    (b.site / "themes/default/templates").mkdir(parents=True)
    (b.site / "themes/default/templates/base.html").symlink_to("/dev/zero")
    run_in_child(
        b,
        "themes/default/templates/base.html: symlink to outside the site",
        "themes/paper/static/pipe.css: not a regular file",
    )


def test_a_theme_folder_symlinked_outside_is_refused(tmp_path: Path) -> None:
    b = built(tmp_path, PAPER)
    (b.outside / "static").mkdir()
    (b.outside / "static/leak.css").write_text(SECRET, encoding="utf-8")
    paper = b.site / "themes/paper"
    (paper / "static/extra.css").unlink()
    (paper / "static").rmdir()
    paper.rmdir()
    paper.symlink_to(b.outside, target_is_directory=True)
    run_in_process(b, "themes/paper: symlink to outside the site")


def test_emacs_lock_files_in_a_theme_are_not_errors(tmp_path: Path) -> None:
    b = built(tmp_path, PAPER)
    (b.site / "themes/paper/static/.#extra.css").symlink_to("user@host.1234:1700000000")
    result = build(b.site)
    assert result.code == 0, result.err


def test_read_theme_with_a_report_collects_instead_of_raising(tmp_path: Path) -> None:
    site = make_site(tmp_path / "site", PAPER)
    (tmp_path / "secret.txt").write_text(SECRET, encoding="utf-8")
    (site / "themes/paper/static/leak.css").symlink_to(tmp_path / "secret.txt")
    report = ErrorReport()
    theme = read_theme(site, "paper", report)
    assert [str(p) for p in report.errors] == [
        "themes/paper/static/leak.css: symlink to outside the site"
    ]
    assert all(SECRET.encode() not in f.data for f in theme.static)
    with pytest.raises(ContentError):
        read_theme(site, "paper")


def test_theme_and_content_problems_are_reported_together(tmp_path: Path) -> None:
    b = built(tmp_path, PAPER)
    (b.site / "themes/paper/static/leak.css").symlink_to(b.secret)
    (b.images / "leak.txt").symlink_to(b.secret)
    run_in_process(
        b,
        "content/images/leak.txt: symlink to outside the site",
        "themes/paper/static/leak.css: symlink to outside the site",
    )


# --- File names ------------------------------------------------------------------------------

CP1251_PHOTO = "Фото".encode("cp1251") + b".png"  # b"\xd4\xee\xf2\xee.png", from a Windows zip


def make_bytes_file(folder: Path, name: bytes, data: bytes) -> None:
    try:
        fd = os.open(os.fsencode(folder) + b"/" + name, os.O_CREAT | os.O_WRONLY, 0o644)
    except OSError as exc:
        pytest.skip(f"this file system refuses names that are not UTF-8: {exc}")
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)


def test_a_file_name_that_is_not_utf8_is_reported_with_escapes(tmp_path: Path) -> None:
    b = built(tmp_path)
    make_bytes_file(b.images, CP1251_PHOTO, b"png")
    make_bytes_file(b.site / "content/articles", b"caf\xe9-\xd0\xba.md", article().encode())
    run_in_process(
        b,
        "content/articles/caf\\xe9-к.md: file name is not UTF-8",
        "content/images/\\xd4\\xee\\xf2\\xee.png: file name is not UTF-8",
    )


NFC_NAME = "Їжак.md"
NFD_NAME = unicodedata.normalize("NFD", NFC_NAME)


def test_an_nfd_file_name_makes_the_nfc_story(tmp_path: Path) -> None:
    assert NFC_NAME != NFD_NAME
    site = make_site(tmp_path, {"content/articles/" + NFD_NAME: article("Hedgehog")})
    if NFD_NAME not in {p.name for p in (site / "content/articles").iterdir()}:
        pytest.skip("this file system normalises file names itself")
    result = build(site)
    assert result.code == 0, result.err
    assert (site / "output/2026/01/06/yizhak/index.html").is_file()
    report = ErrorReport()
    [doc] = read_tree(site, report).articles
    assert doc.path == "content/articles/" + NFC_NAME


def test_nfc_and_nfd_files_of_one_name_are_an_error_naming_both(tmp_path: Path) -> None:
    b = built(tmp_path)
    articles = b.site / "content/articles"
    (articles / NFC_NAME).write_text(article("One"), encoding="utf-8")
    (articles / NFD_NAME).write_text(article("Two"), encoding="utf-8")
    if len(list(articles.iterdir())) != 3:
        pytest.skip("this file system keeps one name for both forms")
    run_in_process(
        b,
        f"content/articles/{NFC_NAME}: two files have this name in different Unicode forms, "
        f"'{NFC_NAME}' (NFC) and '{NFD_NAME}' (NFD); keep one",
    )


def test_a_site_yaml_linked_outside_the_site_is_refused(tmp_path: Path) -> None:
    outside = tmp_path / "elsewhere.yaml"
    site = make_site(tmp_path / "site", {"content/articles/a.md": article()})
    outside.write_text((site / "site.yaml").read_text(encoding="utf-8"), encoding="utf-8")
    (site / "site.yaml").unlink()
    (site / "site.yaml").symlink_to(outside)
    result = build(site)
    assert result.code == 1
    assert result.err.splitlines()[0] == "site.yaml: symlink to outside the site"
    assert "Traceback" not in result.err


def test_a_site_yaml_that_is_a_fifo_is_refused_without_waiting(tmp_path: Path) -> None:
    site = make_site(tmp_path / "site", {"content/articles/a.md": article()})
    (site / "site.yaml").unlink()
    os.mkfifo(site / "site.yaml")
    result = build(site)
    assert result.code == 1
    assert result.err.splitlines()[0] == "site.yaml: not a regular file"


# --- The cache ----------------------------------------------------------------------------


def test_a_cache_folder_linked_outside_the_site_is_refused(tmp_path: Path) -> None:
    b = built(tmp_path)
    shutil.rmtree(b.site / ".cache")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (b.site / ".cache").symlink_to(elsewhere)
    (b.site / "content/articles/b.md").write_text(article("Grain talks"), encoding="utf-8")
    run_in_process(
        b,
        ".cache: is a symbolic link: the cache stays inside the site (remove the link; the "
        "cache is made again)",
    )
    assert list(elsewhere.iterdir()) == []  # nothing written there
