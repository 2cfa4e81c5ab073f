"""Arbitrary bytes as a story, an author file or site.yaml: the build ends with exit 0 or a
located error (`path[:line]: message`), never a traceback, within a time budget.

CI runs a bounded number of examples; a longer fuzz is one environment variable away:

    DATELINE_FUZZ=5000 pytest tests/test_fuzz.py -s
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.conftest import AUTHOR_YAML, SITE_YAML, article, build, make_site

FUZZ = int(os.environ.get("DATELINE_FUZZ") or 0)
EXAMPLES = FUZZ or 60
SECONDS = 20  # one build of a one-story site takes well under a second
LOCATED = re.compile(
    r"^(?:[^\s:][^:]*?(?::\d+)?: .+|build failed: \d+ errors?; output left as it was)$"
)
RAN = {"examples": 0}

# Bytes that look like what the files hold, mutated: front matter, YAML, Markdown, HTML.
SEEDS = [
    article("Talks in Kyiv").encode(),
    SITE_YAML.encode(),
    AUTHOR_YAML.encode(),
    b"---\ntitle: &a [*a]\n---\n",
    b"---\ndate: 9999-12-31\n---\n> > > > [[[[ <div markdown=1> *_*_",
]


def mutated(seed: bytes, cuts: list[tuple[int, bytes]]) -> bytes:
    """`seed` with each (position, bytes) inserted in turn."""
    data = bytearray(seed)
    for at, piece in cuts:
        data[at % (len(data) + 1) : at % (len(data) + 1)] = piece
    return bytes(data)


CONTENT = st.one_of(
    st.binary(max_size=400),
    st.builds(
        mutated,
        st.sampled_from(SEEDS),
        st.lists(st.tuples(st.integers(0, 400), st.binary(max_size=12)), max_size=6),
    ),
    st.text(max_size=400).map(lambda s: s.encode("utf-8", "surrogatepass")),
)
TARGETS = st.sampled_from(
    ["content/articles/a.md", "content/authors/david-okafor.yaml", "site.yaml"]
)


@contextmanager
def time_budget(seconds: int) -> Iterator[None]:
    """Fail the example if it runs longer than `seconds` (the main thread's alarm)."""

    def overrun(signum: int, frame: object) -> None:
        raise AssertionError(f"the build took over {seconds} s")

    previous = signal.signal(signal.SIGALRM, overrun)
    signal.alarm(seconds)
    try:
        yield
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, previous)


@settings(
    max_examples=EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
@given(target=TARGETS, data=CONTENT)
def test_arbitrary_bytes_end_in_a_build_or_a_located_error(target: str, data: bytes) -> None:
    root = Path(tempfile.mkdtemp(prefix="dateline-fuzz-"))
    try:
        site = make_site(root / "site", {"content/articles/a.md": article("Talks in Kyiv")})
        (site / target).write_bytes(data)
        with time_budget(SECONDS):
            result = build(site, "--no-cache", "--jobs", "1")
        RAN["examples"] += 1
        assert "Traceback" not in result.err
        assert result.code in (0, 1), (result.code, result.err)
        if result.code == 1:
            lines = [line for line in result.err.splitlines() if not line.endswith("(warning)")]
            odd = [line for line in lines if not LOCATED.match(line)]
            assert lines and not odd, result.err
    finally:
        shutil.rmtree(root, ignore_errors=True)


def test_zz_report_fuzz_count() -> None:
    """How many examples ran (shown with -s)."""
    print(f"\nfuzz: {RAN['examples']} builds of arbitrary bytes")
