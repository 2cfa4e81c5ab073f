#!/usr/bin/env python3
"""Measure the preview on the sample site: save → browser reloaded, and builds per burst.

    python bench/preview_latency.py                 # 20 saves, a 200-file burst
    python bench/preview_latency.py --saves 50 --quiet 0.05

Works on a copy of the sample site (site.yaml, content/, themes/) in a temporary folder, so
the repository is never touched. Starts the same `Preview` that `python build.py serve`
runs, opens the sample's first article in the system Chromium, then saves that article the
way vim does (new file renamed over the old) with a new paragraph each time. A save's
latency is from the rename to the end of the reloaded page's `load` event, both read on
the same wall clock (`performance.timeOrigin` in the page). Then it writes 200 new article
files as fast as it can and counts the builds they cause.

A measurement, not a test: nothing is asserted.
"""

from __future__ import annotations

import argparse
import io
import re
import shutil
import statistics
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from gen.cli import make_parser  # noqa: E402
from gen.console import options_from  # noqa: E402
from gen.preview.session import Preview, settings_from  # noqa: E402

CLOCK = "2026-11-27T12:00:00+02:00"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
LOADED_AT = "performance.timeOrigin + performance.getEntriesByType('navigation')[0].loadEventEnd"


def copy_sample(into: Path) -> Path:
    """The sample site's sources, copied."""
    site = into / "site"
    site.mkdir()
    shutil.copy2(REPO / "site.yaml", site / "site.yaml")
    for folder in ("content", "themes"):
        shutil.copytree(REPO / folder, site / folder)
    return site


def save_like_vim(path: Path, text: str) -> float:
    """Write a new file and rename it over `path`; the wall time of the rename, in ms."""
    fresh = path.with_name(f".{path.name}.swx~")
    fresh.write_text(text, encoding="utf-8")
    saved = time.time() * 1000
    fresh.replace(path)
    return saved


def wait_for_quiet(preview: Preview, seconds: float) -> int:
    """Wait until no build has started or finished for `seconds`; the build count then."""
    count = preview.builds
    while preview.wait_for_builds(count + 1, seconds):
        count = preview.builds
    return count


def measure_saves(preview: Preview, site: Path, saves: int) -> list[float]:
    """Save→reloaded latencies in ms."""
    from playwright.sync_api import sync_playwright

    source = sorted((site / "content/articles").rglob("*.md"))[0]
    original = source.read_text(encoding="utf-8")
    page_file = next((site / "output").glob(f"20*/*/*/{source.stem}/index.html"))
    url = preview.url + page_file.parent.relative_to(site / "output").as_posix() + "/"
    latencies = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path="/usr/bin/chromium", args=CHROMIUM_ARGS)
        page = browser.new_page()
        page.goto(url)
        page.wait_for_timeout(500)  # let the event stream connect
        for n in range(saves):
            marker = f"Latency marker {n} {time.time_ns()}"
            saved = save_like_vim(source, f"{original}\n\n{marker}\n")
            page.get_by_text(marker).wait_for(timeout=30_000)
            page.wait_for_function("document.readyState === 'complete'")
            latencies.append(page.evaluate(LOADED_AT) - saved)
            wait_for_quiet(preview, 0.3)
        browser.close()
    source.write_text(original, encoding="utf-8")
    return latencies


def measure_burst(preview: Preview, site: Path, files: int, log: io.StringIO) -> tuple[int, float]:
    """Builds caused by writing `files` new articles at once, and how long writing took."""
    wait_for_quiet(preview, 1.0)
    before = preview.builds
    template = sorted((site / "content/articles").rglob("*.md"))[0].read_text(encoding="utf-8")
    folder = site / "content/articles/burst"
    folder.mkdir()
    start = time.perf_counter()
    for n in range(files):
        text = re.sub(r"^title: .*$", f"title: Burst article {n}", template, count=1, flags=re.M)
        (folder / f"burst-{n:03}.md").write_text(text, encoding="utf-8")
    written = time.perf_counter() - start
    preview.wait_for_builds(before + 1, 300)
    # A second build would start one quiet period after the first ended: allow for it.
    slowest = max(build_seconds(log.getvalue()) or [1.0])
    return wait_for_quiet(preview, max(2.0, 3 * slowest)) - before, written


def build_seconds(log: str) -> list[float]:
    """Build durations from the preview's summary lines."""
    return [float(s) for s in re.findall(r" in (\d+\.\d+) s$", log, flags=re.M)]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--saves", type=int, default=20)
    parser.add_argument("--burst", type=int, default=200)
    parser.add_argument("--quiet", type=float, default=0.1, help="debounce quiet period, s")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        site = copy_sample(Path(tmp))
        log = io.StringIO()
        # Parsed as `serve` parses its command line: the same builds, cache included.
        serve = make_parser().parse_args(["serve", "--site", str(site), "--clock", CLOCK])
        settings = replace(settings_from(serve), port=0, quiet=args.quiet)
        preview = Preview(settings, lambda: options_from(serve), out=log)
        preview.bind()
        preview.start()
        try:
            latencies = measure_saves(preview, site, args.saves)
            first_builds = len(build_seconds(log.getvalue()))
            builds, written = measure_burst(preview, site, args.burst, log)
        finally:
            preview.stop()
    times = build_seconds(log.getvalue())[1:first_builds]
    print(f"quiet period: {args.quiet * 1000:.0f} ms")
    print(
        f"save → reloaded, {len(latencies)} saves: median {statistics.median(latencies):.0f} ms, "
        f"min {min(latencies):.0f} ms, max {max(latencies):.0f} ms"
    )
    print(f"build during those saves: median {statistics.median(times) * 1000:.0f} ms")
    print(f"burst of {args.burst} new files, written in {written * 1000:.0f} ms: {builds} build(s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
