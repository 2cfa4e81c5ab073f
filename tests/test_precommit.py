"""`.pre-commit-hooks.yaml` as a newsroom meets it: pre-commit installs Dateline from this
repository into a virtualenv of its own and runs `dateline check` on the stories given.

The newsroom's `.pre-commit-config.yaml` names this repository and the commit of a snapshot
of its working tree, as `pre-commit try-repo` would, and `pre-commit run` runs it: try-repo
keeps its environments in a temporary folder whatever PRE_COMMIT_HOME says, so every run
would install Dateline again.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import REPO, article, make_site

HOOK = "dateline-check"
STORY = "content/articles/2026/allies-meet.md"
FIRST = "National security advisers from nine countries met in Kyiv on Saturday morning."
SECOND = "They agreed to meet again in Warsaw before the end of the month, officials said."
# A cold run makes a virtualenv and installs Dateline's dependencies from the package index.
TIMEOUT = 900
# The commit of the snapshot: fixed, so the same files make the same commit.
FIXED_COMMIT = {
    "GIT_AUTHOR_NAME": "Dateline tests",
    "GIT_AUTHOR_EMAIL": "tests@dateline.invalid",
    "GIT_AUTHOR_DATE": "2026-01-01T00:00:00+00:00",
    "GIT_COMMITTER_NAME": "Dateline tests",
    "GIT_COMMITTER_EMAIL": "tests@dateline.invalid",
    "GIT_COMMITTER_DATE": "2026-01-01T00:00:00+00:00",
}


def clean_env(**extra: str) -> dict[str, str]:
    """This process's environment without git's own variables (set when run from a hook)."""
    env = {key: value for key, value in os.environ.items() if not key.startswith("GIT_")}
    return {**env, **extra}


def git(cwd: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-c", "commit.gpgsign=false", *args],
        cwd=cwd,
        env=clean_env(**FIXED_COMMIT),
        check=True,
        capture_output=True,
    )


def snapshot(repo: Path, into: Path) -> Path:
    """The working tree's files, tracked or new (not ignored), committed in a repository.

    try-repo adds uncommitted changes to tracked files only, so a new module would be left
    out. The same files make the same commit, for which pre-commit keeps its environment.
    """
    listed = subprocess.run(
        ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
        cwd=repo,
        env=clean_env(),
        check=True,
        capture_output=True,
    ).stdout.decode()
    shutil.rmtree(into, ignore_errors=True)
    for rel in sorted(set(filter(None, listed.split("\0")))):
        source = repo / rel
        if source.is_file():  # a tracked file deleted in the working tree stays out
            (into / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, into / rel)
    git(into, "init", "-q")
    git(into, "add", "-A")
    git(into, "commit", "-q", "-m", "snapshot")
    return into


@pytest.fixture(scope="module")
def pre_commit_home(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Path:
    """pre-commit's store, kept in pytest's cache so later runs reuse its environments."""
    cache = getattr(request.config, "cache", None)  # None under -p no:cacheprovider
    if cache is None:
        return tmp_path_factory.mktemp("pre-commit-home")
    return cache.mkdir("pre-commit-home")


def fresh_store(home: Path, hook_repo: Path) -> Path:
    """`home`, emptied when the snapshot is a new commit: one environment kept, not one per
    version of the code (each is a virtualenv with Dateline's dependencies)."""
    rev = head(hook_repo)
    marker = home / "dateline-snapshot"
    if not marker.is_file() or marker.read_text("utf-8") != rev:
        shutil.rmtree(home, ignore_errors=True)
        home.mkdir(parents=True)
        marker.write_text(rev, "utf-8")
    return home


def head(repo: Path) -> str:
    """The commit `repo` has checked out."""
    return subprocess.run(
        ["git", "rev-parse", "HEAD"],
        cwd=repo,
        env=clean_env(),
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()


def run_hook(site: Path, home: Path) -> subprocess.CompletedProcess[str]:
    """`pre-commit run dateline-check --files STORY` in `site`, with its store in `home`."""
    git(site, "add", "-A")
    command = [sys.executable, "-m", "pre_commit", "run", HOOK]
    return subprocess.run(
        [*command, "--files", STORY, "--verbose", "--color", "never"],
        cwd=site,
        env=clean_env(PRE_COMMIT_HOME=str(home)),
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
    )


def test_hook_passes_a_clean_story_and_names_a_duplicated_paragraph(
    tmp_path: Path, pre_commit_home: Path
) -> None:
    hook_repo = snapshot(REPO, pre_commit_home.parent / "pre-commit-repo")
    home = fresh_store(pre_commit_home, hook_repo)
    config = (
        f"repos:\n  - repo: {hook_repo}\n    rev: {head(hook_repo)}\n    hooks:\n"
        f"      - id: {HOOK}\n"
    )
    site = make_site(
        tmp_path / "newsroom",
        {
            STORY: article(body=f"{FIRST}\n\n{SECOND}\n"),
            ".pre-commit-config.yaml": config,
            # `dateline check` keeps its cache in .cache/: a hook that changed a tracked
            # file would fail the commit.
            ".gitignore": ".cache/\noutput/\n",
        },
    )
    git(site, "init", "-q")

    clean = run_hook(site, home)
    assert clean.returncode == 0, clean.stdout + clean.stderr
    assert "dateline check" in clean.stdout

    # The front matter takes lines 1-6 and a blank line: the body starts at line 8, and the
    # pasted paragraph sits at line 12.
    (site / STORY).write_text(article(body=f"{FIRST}\n\n{SECOND}\n\n{FIRST}\n"), "utf-8")
    failed = run_hook(site, home)
    assert failed.returncode != 0, failed.stdout + failed.stderr
    assert f"{STORY}:12:1: error duplicate-paragraph:" in failed.stdout, failed.stdout
    assert "files were modified" not in failed.stdout, failed.stdout
