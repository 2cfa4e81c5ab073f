"""An installed Dateline builds: the wheel carries every module and the default theme, and the
`dateline` script of a fresh virtual environment builds the sample site byte for byte as the
checkout does (README's promise; before the theme became package data, every page of an
installed Dateline failed with "template not found")."""

from __future__ import annotations

import difflib
import json
import os
import re
import shutil
import subprocess
import sys
import zipfile
from importlib import metadata, util
from pathlib import Path

from tests.conftest import CLOCK, REPO, output_files

TIMEOUT = 300  # seconds, per command: a hung build fails instead of hanging the suite

# Written into the test environment's site-packages (never into the checkout's): at the exit of
# any Python process there, it records where every `gen` module it imported came from. This
# is how the test sees inside the installed `dateline` script's own process.
PROBE = """\
import atexit, json, os, sys

_out = os.environ.get("DATELINE_INSTALL_PROBE")
if _out:
    _pid = os.getpid()

    def _record():
        if os.getpid() != _pid:
            return
        gen = {n: m for n, m in list(sys.modules.items()) if n == "gen" or n.startswith("gen.")}
        found = {
            "executable": sys.executable,
            "modules": {name: getattr(module, "__file__", None) for name, module in gen.items()},
            "themes": {
                name: str(module.DEFAULT_THEME_DIR)
                for name, module in gen.items()
                if hasattr(module, "DEFAULT_THEME_DIR")
            },
        }
        with open(_out, "w", encoding="utf-8") as f:
            json.dump(found, f)

    atexit.register(_record)
"""


def clean_env(**extra: str) -> dict[str, str]:
    """The environment with nothing that adds to or moves a Python's import path, nor a user
    site-packages (which could hold another Dateline)."""
    drop = ("PYTHONPATH", "PYTHONHOME", "PYTHONSTARTUP", "PYTHONSAFEPATH", "VIRTUAL_ENV")
    env = {k: v for k, v in os.environ.items() if k not in drop}
    return {**env, "PYTHONNOUSERSITE": "1", **extra}


def run(args: list[str | Path], cwd: Path, **extra_env: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(a) for a in args],
        cwd=cwd,
        env=clean_env(**extra_env),
        capture_output=True,
        text=True,
        timeout=TIMEOUT,
        check=False,
    )


def ok(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode == 0, (
        f"{' '.join(result.args)} exited {result.returncode}\n"
        f"stdout:\n{result.stdout[-3000:]}\nstderr:\n{result.stderr[-3000:]}"
    )
    return result.stdout


def snapshot_repo(dest: Path) -> Path:
    """The checkout's files as a clean clone would have them (no VCS data, caches, build or
    output folders). The wheel is built from this copy rather than in place: setuptools writes
    `build/` and `dateline.egg-info/` into the tree it builds, and a `build/lib/` left by an
    earlier build would ship modules deleted since; here it starts empty every time."""
    top = {"build", "dist", "output"}

    def ignore(folder: str, names: list[str]) -> set[str]:
        at_top = Path(folder) == REPO
        return {
            n
            for n in names
            if n.startswith(".")
            or n == "__pycache__"
            or n.endswith(".egg-info")
            or (at_top and n in top)
        }

    shutil.copytree(REPO, dest, ignore=ignore)
    return dest


def offline_build_possible() -> bool:
    """Whether this interpreter holds what pyproject.toml's [build-system] asks for
    (setuptools>=68) and can make a wheel (bdist_wheel: in setuptools from 70.1, before that in
    the `wheel` package)."""
    try:
        version = metadata.version("setuptools")
    except metadata.PackageNotFoundError:
        return False
    major, minor = (int(n) for n in re.findall(r"\d+", version)[:2])
    has_bdist_wheel = (major, minor) >= (70, 1) or util.find_spec("wheel") is not None
    return major >= 68 and has_bdist_wheel


def build_wheel(src: Path, dest: Path) -> Path:
    # Without build isolation nothing is downloaded, but only if the running interpreter has
    # the build backend; otherwise pip builds as any user's `pip install .` does, in an isolated
    # environment with setuptools from the configured index (PyPI, which CI reaches).
    isolation = ["--no-build-isolation"] if offline_build_possible() else []
    ok(
        run(
            [sys.executable, "-m", "pip", "wheel", "--no-deps", *isolation, "-w", dest, src],
            cwd=dest.parent,
        )
    )
    [wheel] = dest.glob("dateline-*.whl")
    return wheel


def check_wheel_contents(wheel: Path, src: Path) -> None:
    with zipfile.ZipFile(wheel) as z:
        names = set(z.namelist())
    gen = src / "gen"
    modules = sorted(p.relative_to(src).as_posix() for p in gen.rglob("*.py"))
    theme = sorted(
        p.relative_to(src).as_posix() for p in (gen / "themes").rglob("*") if p.is_file()
    )
    assert "gen/pipeline.py" in modules
    assert "gen/themes/default/templates/base.html" in theme
    assert "gen/themes/default/static/style.css" in theme
    missing = [name for name in (*modules, *theme) if name not in names]
    assert not missing, f"{wheel.name} lacks {len(missing)} files of gen/: {missing}"
    folders = sorted(p.name for p in gen.iterdir() if p.is_dir() and p.name != "__pycache__")
    assert "themes" in folders
    empty = [f for f in folders if not any(n.startswith(f"gen/{f}/") for n in names)]
    assert not empty, f"{wheel.name} has nothing of gen/{empty}"


def make_venv(root: Path, wheel: Path) -> Path:
    """A new virtual environment with the wheel installed (not editable); its Python.

    --system-site-packages lets it find the runtime dependencies (and Pagefind) without network;
    the system site-packages also hold this checkout's editable install, whose `.pth` adds a
    finder mapping `gen` to the checkout. That finder comes after Python's own path finder and
    the environment's site-packages comes before the system's on sys.path, so `import gen`
    finds the wheel's copy; but a module missing from the wheel would silently be found in the
    checkout. So rather than trust the order, the test checks where every module came from
    (the `-c` import below, and PROBE inside the installed script's process)."""
    venv = root / "venv"
    # --without-pip: no ensurepip (seconds, and a separate Debian package); the pip of the
    # system site-packages, run by the environment's Python, installs into the environment.
    ok(run([sys.executable, "-m", "venv", "--system-site-packages", "--without-pip", venv], root))
    python = venv / "bin" / "python"
    purelib = Path(
        ok(
            run([python, "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"], root)
        ).strip()
    )
    if sys.prefix != sys.base_prefix:
        # The tests themselves run in a virtual environment, whose packages
        # --system-site-packages does not reach (it reaches the base interpreter's): list them
        # after the environment's own. Path lines of a .pth don't run the .pth files there, so
        # that environment's editable finder is not installed either.
        outer = [p for p in sys.path if p.endswith("site-packages") and p.startswith(sys.prefix)]
        (purelib / "_dateline_outer_env.pth").write_text("\n".join(outer) + "\n", "utf-8")
    ok(run([python, "-m", "pip", "install", "--no-deps", "--no-index", wheel], root))
    probe = purelib / "_dateline_install_probe"
    probe.with_suffix(".py").write_text(PROBE, "utf-8")
    probe.with_suffix(".pth").write_text("import _dateline_install_probe\n", "utf-8")
    return venv


def copy_sample_site(dest: Path) -> Path:
    dest.mkdir()
    shutil.copy2(REPO / "site.yaml", dest / "site.yaml")
    shutil.copytree(REPO / "content", dest / "content")
    if (REPO / "themes").is_dir():
        shutil.copytree(REPO / "themes", dest / "themes")
    # A site's own themes/default comes before the package's in the theme chain: with one,
    # this test would not show that the installed package's theme works.
    assert not (dest / "themes" / "default").exists(), "the sample site has its own default theme"
    return dest


def assert_same_tree(installed: Path, checkout: Path) -> None:
    a, b = output_files(installed), output_files(checkout)
    only_a, only_b = sorted(set(a) - set(b)), sorted(set(b) - set(a))
    assert not only_a and not only_b, (
        f"only in the installed build: {only_a[:20]}\nonly in the checkout's: {only_b[:20]}"
    )
    differing = [rel for rel in sorted(a) if a[rel] != b[rel]]
    if differing:
        first = differing[0]
        diff = difflib.unified_diff(
            b[first].decode("utf-8", "replace").splitlines(),
            a[first].decode("utf-8", "replace").splitlines(),
            f"checkout/{first}",
            f"installed/{first}",
            lineterm="",
        )
        raise AssertionError(
            f"{len(differing)} of {len(a)} files differ, first: {differing[:20]}\n"
            + "\n".join(list(diff)[:40])
        )


def test_an_installed_wheel_builds_the_sample_site_as_the_checkout_does(tmp_path: Path) -> None:
    src = snapshot_repo(tmp_path / "src")
    wheel = build_wheel(src, tmp_path / "dist")
    check_wheel_contents(wheel, src)

    venv = make_venv(tmp_path, wheel)
    outside = tmp_path / "elsewhere"  # every command of the installed Dateline runs here
    outside.mkdir()
    where = ok(
        run(
            [
                venv / "bin" / "python",
                "-c",
                "import gen, gen.cli, sys; print(gen.__file__); print(gen.cli.__file__)",
            ],
            outside,
        )
    )
    for line in where.splitlines():
        assert Path(line).resolve().is_relative_to(venv.resolve()), where

    site = copy_sample_site(tmp_path / "site")
    options = ["--site", site, "--no-cache", "--clock", CLOCK]
    probe = tmp_path / "probe.json"
    installed = run(
        [venv / "bin" / "dateline", "build", *options, "--output", tmp_path / "installed"],
        outside,
        DATELINE_INSTALL_PROBE=str(probe),
    )
    ok(installed)
    # build.py from the checkout imports the checkout's gen/ (its folder is first on sys.path).
    checkout = run(
        [sys.executable, "build.py", "build", *options, "--output", tmp_path / "checkout"], REPO
    )
    ok(checkout)

    # The installed script ran the wheel's code: every module, and the theme it found.
    found = json.loads(probe.read_text("utf-8"))
    assert Path(found["executable"]).parent == venv / "bin"
    assert "gen.pipeline" in found["modules"]
    elsewhere = {
        name: file
        for name, file in found["modules"].items()
        if file is None or not Path(file).resolve().is_relative_to(venv.resolve())
    }
    assert not elsewhere, f"the installed build imported gen modules from outside it: {elsewhere}"
    # The default theme the build used (DEFAULT_THEME_DIR, wherever the module defining it is).
    assert found["themes"], "no gen module imported by the build has DEFAULT_THEME_DIR"
    for name, theme in found["themes"].items():
        assert Path(theme).resolve().is_relative_to(venv.resolve()), f"{name}: {theme}"
        assert (Path(theme) / "templates" / "base.html").is_file(), f"{name}: {theme}"

    # Both built search (Pagefind from the system site-packages), neither skipped it.
    for result, out in ((installed, "installed"), (checkout, "checkout")):
        assert "search skipped" not in result.stderr, f"{out}: {result.stderr}"
        assert (tmp_path / out / "search" / "index.html").is_file(), out
        assert any((tmp_path / out / "pagefind").rglob("*")), out
    assert_same_tree(tmp_path / "installed", tmp_path / "checkout")
