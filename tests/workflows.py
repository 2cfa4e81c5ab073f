"""A small runner for the CI workflows Dateline ships: it runs a job's `run:` steps (GitHub
Actions) or script lines (GitLab CI) in order, in a site folder, with `dateline` on PATH, so a
test can hold every workflow to the commands it names.

It knows only what those workflows use: `${{ … }}` expressions made of contexts, strings,
`== != && || !`, parentheses and a few functions; `if:` on steps and jobs; step outputs
written to $GITHUB_OUTPUT; and GitLab's `rules: - if:` with `$VAR == "text"`. Anything else is
an error, so a workflow that outgrows the runner says so instead of being half run.
`uses:` steps are not run: the test says what each one stands for (its outputs).
"""

from __future__ import annotations

import os
import re
import subprocess
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

EXPRESSION = re.compile(r"\$\{\{(.*?)\}\}", re.S)
TOKEN = re.compile(
    r"\s*(?:(?P<string>'(?:[^']|'')*')|(?P<op>==|!=|&&|\|\||!|\(|\)|,)"
    r"|(?P<name>[A-Za-z_][A-Za-z0-9_-]*(?:\.[A-Za-z_*][A-Za-z0-9_-]*)*)|(?P<number>\d+))"
)


class Unsupported(Exception):
    """The workflow uses something this runner does not know."""


def _starts_with(text: Any, prefix: Any) -> bool:
    return shown(text).lower().startswith(shown(prefix).lower())


def _format(template: Any, *args: Any) -> str:
    return re.sub(r"\{(\d+)\}", lambda m: shown(args[int(m.group(1))]), shown(template))


FUNCTIONS: dict[str, Callable[..., Any]] = {"startsWith": _starts_with, "format": _format}
# Functions of a job's state: whether a step failed so far (nothing is ever cancelled here).
STATUS = ("success", "failure", "always", "cancelled")


def status_functions(failed: bool) -> dict[str, Callable[[], bool]]:
    return {
        "success": lambda: not failed,
        "failure": lambda: failed,
        "always": lambda: True,
        "cancelled": lambda: False,
    }


def shown(value: Any) -> str:
    """A value as GitHub puts it into text: null as '', booleans as true/false."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def lookup(context: Mapping[str, Any], path: str) -> Any:
    """`a.b.c` in the contexts; a missing property is null, as on GitHub."""
    value: Any = context
    for part in path.split("."):
        if not isinstance(value, Mapping):
            return None
        value = value.get(part)
    return value


def evaluate(expression: str, context: Mapping[str, Any], failed: bool = False) -> Any:
    """A GitHub expression's value (the subset described above); `failed`: whether a step of
    the job failed so far."""
    functions = {**FUNCTIONS, **status_functions(failed)}
    python: list[str] = []
    pos = 0
    text = expression.strip()
    while pos < len(text):
        match = TOKEN.match(text, pos)
        if match is None or match.end() == pos:
            raise Unsupported(f"cannot read {text[pos:]!r} in {expression!r}")
        pos = match.end()
        kind = match.lastgroup
        token = match.group(kind or "")
        if kind == "string":
            python.append(repr(token[1:-1].replace("''", "'")))
        elif kind == "number":
            python.append(token)
        elif kind == "op":
            python.append({"&&": " and ", "||": " or ", "!": " not "}.get(token, token))
        elif token in ("true", "false", "null"):
            python.append({"true": "True", "false": "False", "null": "None"}[token])
        elif token in functions and text[pos:].lstrip().startswith("("):
            python.append(f"_f[{token!r}]")
        elif token.split(".")[0] in context:
            python.append(f"_get({token!r})")
        else:
            raise Unsupported(f"unknown name {token!r} in {expression!r}")
    scope = {"_f": functions, "_get": lambda path: lookup(context, path)}
    return eval("".join(python), {"__builtins__": {}}, scope)  # our own workflow files


def substitute(text: str, context: Mapping[str, Any]) -> str:
    """`text` with every `${{ … }}` replaced by its value."""
    return EXPRESSION.sub(lambda m: shown(evaluate(m.group(1), context)), text)


def condition(text: str | bool | None, context: Mapping[str, Any], failed: bool = False) -> bool:
    """Whether an `if:` holds. As on GitHub, one that names no status function holds only
    while no step failed (`success() && …`), and none at all means `success()`."""
    if isinstance(text, bool):
        return text and not failed
    expression = "success()"
    if text is not None:
        whole = EXPRESSION.fullmatch(text.strip())
        expression = whole.group(1) if whole else text
        if not any(f"{name}(" in expression for name in STATUS):
            expression = f"success() && ({expression})"
    return bool(evaluate(expression, context, failed))


@dataclass
class JobRun:
    """What running one job did."""

    ran: list[str] = field(default_factory=list)  # names of the run: steps run, in order
    skipped: list[str] = field(default_factory=list)  # steps whose if: did not hold
    used: list[str] = field(default_factory=list)  # uses: of the steps that would run
    checked: list[str] = field(default_factory=list)  # run: steps checked but not run
    failed: list[str] = field(default_factory=list)  # run: steps that exited non-zero
    output: dict[str, str] = field(default_factory=dict)  # what each failed step printed
    outputs: dict[str, str] = field(default_factory=dict)  # the job's outputs


def step_name(step: Mapping[str, Any]) -> str:
    return str(step.get("name") or step.get("uses") or step.get("run", "").splitlines()[0])


def run_github_job(
    workflow: Mapping[str, Any],
    job_id: str,
    site: Path,
    github: Mapping[str, Any],
    env: Mapping[str, str],
    *,
    uses: Callable[[Mapping[str, Any], Mapping[str, Any]], dict[str, str]],
    not_run: Mapping[str, str],
    secrets: Mapping[str, str] | None = None,
    overrides: Mapping[str, Mapping[str, str]] | None = None,
) -> JobRun:
    """Run job `job_id` of a GitHub workflow in `site`.

    `uses(step, context)` stands for a `uses:` step and returns its outputs; a `run:` step
    named in `not_run` (name → its command) is checked but not run (installing, deploying);
    `overrides` (step name → variables) replace what a step's `env:` says.
    """
    job = workflow["jobs"][job_id]
    steps: dict[str, Any] = {}
    context: dict[str, Any] = {
        "github": github,
        "secrets": dict(secrets or {}),
        "vars": {},
        "steps": steps,
        "runner": {"os": "Linux", "temp": str(site.parent)},
        "env": {},
    }
    context["env"] = {k: substitute(str(v), context) for k, v in workflow.get("env", {}).items()}
    result = JobRun()
    for step in job["steps"]:
        name = step_name(step)
        record = steps.setdefault(step["id"], {}) if "id" in step else {}
        if not condition(step.get("if"), context, bool(result.failed)):
            result.skipped.append(name)
            record.update(outcome="skipped", outputs={})
            continue
        if "uses" in step:
            result.used.append(step["uses"])
            record.update(outcome="success", outputs=uses(step, context))
            continue
        script = substitute(step["run"], context)
        if name in not_run:
            assert script == not_run[name], f"{name}: {script!r}"
            result.checked.append(name)
            record.update(outcome="success", outputs={})
            continue
        step_env = {
            **context["env"],
            **{k: substitute(str(v), context) for k, v in step.get("env", {}).items()},
            **(overrides or {}).get(name, {}),
        }
        outputs = site.parent / f"output-{len(result.ran)}.txt"
        outputs.write_text("", "utf-8")
        run = subprocess.run(
            ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", script],
            cwd=site,
            env={**env, **step_env, "GITHUB_OUTPUT": str(outputs)},
            capture_output=True,
            text=True,
            timeout=600,
        )
        if run.returncode != 0:
            result.failed.append(name)
            result.output[name] = run.stdout + run.stderr
            record.update(outcome="failure", outputs={})
            continue
        result.ran.append(name)
        record.update(outcome="success", outputs=read_outputs(outputs))
    for key, value in job.get("outputs", {}).items():
        result.outputs[key] = substitute(str(value), context)
    return result


def read_outputs(path: Path) -> dict[str, str]:
    """The `name=value` lines a step wrote to $GITHUB_OUTPUT."""
    pairs = (line.split("=", 1) for line in path.read_text("utf-8").splitlines() if line)
    return dict(pairs)


def gitlab_rule(text: str, variables: Mapping[str, str]) -> bool:
    """A GitLab `rules: - if:` of comparisons joined by && and ||."""
    python = re.sub(r"\$([A-Z_]+)", lambda m: repr(variables.get(m.group(1))), text)
    python = python.replace("&&", " and ").replace("||", " or ")
    if re.search(r"[^\w\s'\"=!()]", python.replace("None", "")):
        raise Unsupported(f"cannot read the rule {text!r}")
    return bool(eval(python, {"__builtins__": {}}, {}))  # our own workflow files


def gitlab_job_applies(job: Mapping[str, Any], variables: Mapping[str, str]) -> bool:
    """Whether a pipeline with `variables` has the job (its first matching rule)."""
    for rule in job.get("rules", []):
        if gitlab_rule(rule["if"], variables) and rule.get("when") != "never":
            return True
    return False


def run_gitlab_job(
    pipeline: Mapping[str, Any],
    job_id: str,
    site: Path,
    variables: Mapping[str, str],
    env: Mapping[str, str],
    not_run: Mapping[str, str],
) -> subprocess.CompletedProcess[str]:
    """Run a GitLab job's before_script and script as the runner does: one shell, `set -e`.
    Lines named in `not_run` (installing) are checked to be there and left out."""
    job = pipeline[job_id]
    before = job.get("before_script", pipeline.get("default", {}).get("before_script", []))
    lines = []
    for line in [*before, *job["script"]]:
        if line in not_run.values():
            continue
        lines.append(line)
    assert set(not_run.values()) <= set(before), before
    return subprocess.run(
        ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", "\n".join(lines)],
        cwd=site,
        env={**env, **pipeline.get("variables", {}), **variables},
        capture_output=True,
        text=True,
        timeout=600,
    )


def shim(folder: Path, python: str, build_py: Path) -> Path:
    """A folder holding a `dateline` that runs this checkout's build.py."""
    folder.mkdir(parents=True, exist_ok=True)
    script = folder / "dateline"
    script.write_text(f'#!/bin/sh\nexec "{python}" "{build_py}" "$@"\n', "utf-8")
    script.chmod(0o755)
    return folder


def clean_environment(path_first: Path) -> dict[str, str]:
    """This process's environment without CI's own variables, `path_first` first on PATH."""
    drop = ("GITHUB_", "GITLAB_", "CI_", "RUNNER_", "GIT_")
    env = {k: v for k, v in os.environ.items() if not k.startswith(drop)}
    env["PATH"] = f"{path_first}{os.pathsep}{env.get('PATH', '')}"
    return env
