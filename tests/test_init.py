"""`dateline init`: a new site that builds, passes `dateline check` with nothing to say, and is
ready to push; written only into a new or empty folder, never over a file."""

from __future__ import annotations

import io
import re
import subprocess
import sys
import tomllib
from dataclasses import fields
from pathlib import Path

import pytest
import yaml

from gen import __version__, config
from gen.check.settings import CheckSettings
from gen.config import KEYS, SiteConfig, load_config, parse_config
from gen.errors import GenError
from gen.init import HOSTS, LANGUAGES
from gen.init.files import WORDS, two_band_png
from gen.init.write import write_new_site
from gen.pages.theme import DEFAULT_THEME_DIR
from gen.source.yamldoc import load_yaml
from tests.conftest import REPO, output_files, run_cli
from tests.test_precommit import clean_env, fresh_store, git, head, snapshot

COMMON = [
    ".gitignore",
    ".pre-commit-config.yaml",
    "content/authors/editor.yaml",
    "content/images/welcome.png",
    "requirements.txt",
    "site.yaml",
    "themes/site/README.md",
]


def init(folder: Path, *args: str) -> str:
    """Run `dateline init FOLDER ARGS`; its stdout."""
    run = run_cli("init", str(folder), *args)
    assert run.code == 0, run.err
    assert run.err == ""
    return run.out


def written(folder: Path) -> list[str]:
    return sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file())


def story_of(folder: Path) -> str:
    (story,) = (folder / "content" / "articles").rglob("welcome.md")
    return story.relative_to(folder).as_posix()


def assert_checks_and_builds_clean(site: Path) -> None:
    """`dateline check` finds nothing, and `dateline build` builds without a warning."""
    check = run_cli("check", "--site", str(site))
    assert (check.code, check.out) == (0, ""), check.out + check.err
    assert check.err.startswith("Checked 1 story (0 unchanged): 0 errors, 0 warnings in ")
    built = run_cli("build", "--site", str(site))
    assert (built.code, built.err) == (0, ""), built.err
    assert built.out.startswith("Built 1 article: ")


def test_a_new_site_checks_clean_and_builds(tmp_path: Path) -> None:
    site = tmp_path / "newsroom"
    out = init(site)
    story = story_of(site)
    assert re.fullmatch(r"content/articles/\d{4}/welcome\.md", story)
    files = sorted([*COMMON, ".github/workflows/publish.yml", story])
    assert written(site) == files
    assert out == (
        f"Wrote a new site in {site}:\n"
        + "".join(f"  {path}\n" for path in files)
        + "Next:\n"
        + f"  cd {site} && dateline serve\n"
        + "  set base_url in site.yaml, commit the site to a new git repository, then\n"
        + "  push it to GitHub; in Settings → Pages choose GitHub Actions as the source\n"
    )
    assert_checks_and_builds_clean(site)
    config = load_config(site)
    assert (config.title, config.language, config.timezone) == ("My Newsroom", "en", "UTC")
    assert (config.theme, config.host, config.base_url) == (
        "site",
        "github",
        "https://example.org/",
    )
    assert [(s.id, s.title) for s in config.sections] == [("news", "News")]
    page = (site / "output").joinpath(*story_url(site)).read_text("utf-8")
    assert "Welcome to My Newsroom" in page
    assert "A band of deep blue above a narrower band of pale grey" in page  # the lead image
    assert (site / ".gitignore").read_text("utf-8").splitlines()[1:] == ["output/", ".cache/"]


def story_url(site: Path) -> list[str]:
    """The path parts of the welcome story's page in output/."""
    text = (site / story_of(site)).read_text("utf-8")
    date = re.search(r"^date: (\d{4})-(\d\d)-(\d\d)T", text, re.M)
    assert date is not None
    return [*date.groups(), "welcome", "index.html"]


def test_a_ukrainian_site(tmp_path: Path) -> None:
    site = tmp_path / "redaktsiia"
    init(site, "--language", "uk")
    assert_checks_and_builds_clean(site)
    config = load_config(site)
    assert (config.title, config.language, config.timezone) == ("Моя редакція", "uk", "Europe/Kyiv")
    assert [(s.id, s.title) for s in config.sections] == [("news", "Новини")]
    text = (site / story_of(site)).read_text("utf-8")
    assert 'title: "Вітаємо на сайті «Моя редакція»"' in text
    assert re.search(r"^date: \d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+0[23]:00$", text, re.M)


@pytest.mark.parametrize("host", HOSTS)
def test_every_host_gets_its_workflow_and_builds(tmp_path: Path, host: str) -> None:
    site = tmp_path / host
    out = init(site, "--host", host)
    workflow = ".gitlab-ci.yml" if host == "gitlab" else ".github/workflows/publish.yml"
    assert written(site) == sorted([*COMMON, workflow, story_of(site)])
    assert f"  {workflow}\n" in out
    assert load_config(site).host == host
    extra = "[publish]" if host == "s3" else ""
    assert f"\ndateline{extra}=={__version__}\n" in (site / "requirements.txt").read_text("utf-8")
    if host == "gitlab":  # GitLab Pages publishes public/
        assert "public/" in (site / ".gitignore").read_text("utf-8").splitlines()
    assert_checks_and_builds_clean(site)


@pytest.mark.parametrize(
    "title",
    [
        'Fish & Chips: the "Daily" #1',
        "Kyiv Independent's Desk",
        "true",
        "Новини — Київ",
        "A newsroom whose name goes on and on " * 4,
    ],
)
def test_a_title_is_written_as_given(tmp_path: Path, title: str) -> None:
    site = tmp_path / "site"
    init(site, "--title", title)
    config = load_config(site)
    assert config.title == config.publisher.name == title.strip()
    # A headline past the headline-length rule's limit is only "Welcome".
    assert_checks_and_builds_clean(site)


@pytest.mark.parametrize("title", ["two\nlines", "bell\x07", "   "])
def test_a_title_that_is_not_one_line_of_text_is_a_usage_error(tmp_path: Path, title: str) -> None:
    run = run_cli("init", str(tmp_path / "site"), "--title", title)
    assert run.code == 2
    assert "argument --title" in run.err
    assert not (tmp_path / "site").exists()


def test_refuses_a_folder_that_is_not_empty(tmp_path: Path) -> None:
    site = tmp_path / "site"
    site.mkdir()
    (site / "notes.txt").write_text("mine", "utf-8")
    run = run_cli("init", str(site))
    assert (run.code, run.out) == (1, "")
    assert run.err == (
        f"{site}: not empty; dateline init writes a new site only into a new or empty folder\n"
    )
    assert written(site) == ["notes.txt"]
    assert (site / "notes.txt").read_text("utf-8") == "mine"


def test_refuses_a_file(tmp_path: Path) -> None:
    target = tmp_path / "site"
    target.write_text("mine", "utf-8")
    run = run_cli("init", str(target))
    assert (run.code, run.err) == (1, f"{target}: is a file, not a folder\n")
    assert target.read_text("utf-8") == "mine"


def test_makes_no_folder_outside_the_one_given(tmp_path: Path) -> None:
    target = tmp_path / "a" / "b"
    run = run_cli("init", str(target))
    assert (run.code, run.err) == (
        1,
        f"{target}: cannot be made: {tmp_path / 'a'} is not a folder\n",
    )
    assert list(tmp_path.iterdir()) == []


def test_writes_into_an_empty_folder_and_beside_a_fresh_clone(tmp_path: Path) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    init(empty)
    clone = tmp_path / "clone"
    git(tmp_path, "init", "-q", str(clone))
    before = written(clone / ".git")
    init(clone)
    assert written(clone / ".git") == before
    assert (clone / "site.yaml").is_file()


def test_writes_nothing_outside_the_folder(tmp_path: Path) -> None:
    (tmp_path / "neighbour.txt").write_text("x", "utf-8")
    init(tmp_path / "site")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["neighbour.txt", "site"]


def test_in_the_current_folder_the_next_step_is_serve(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    out = init(Path())
    assert "Next:\n  dateline serve\n" in out


def test_never_writes_over_a_file_and_leaves_nothing_when_it_stops(tmp_path: Path) -> None:
    # A file that appears once the folder was found empty (here, inside .git) is kept, and
    # what was written before it is removed again.
    site = tmp_path / "site"
    (site / ".git").mkdir(parents=True)
    (site / ".git" / "HEAD").write_text("ref: refs/heads/main\n", "utf-8")
    files = {"content/a.md": b"a", ".git/HEAD": b"mine?", "z.txt": b"z"}
    with pytest.raises(GenError) as caught:
        write_new_site(site, files)
    assert str(caught.value) == f"{site / '.git' / 'HEAD'}: cannot be written: file exists"
    assert written(site) == [".git/HEAD"]
    assert sorted(p.name for p in site.iterdir()) == [".git"]
    assert (site / ".git" / "HEAD").read_text("utf-8") == "ref: refs/heads/main\n"


def test_site_yaml_describes_every_setting_from_its_declaration(tmp_path: Path) -> None:
    site = tmp_path / "site"
    init(site)
    text = (site / "site.yaml").read_text("utf-8")
    for key, (required, doc) in KEYS.items():
        first_words = " ".join(doc.split()[:6])
        at = text.index(f"# {first_words}")
        setting = re.search(rf"^(# )?{re.escape(key)}:", text[at:], re.M)
        assert setting is not None, key
        assert bool(setting.group(1)) == (key not in WRITTEN), key
        assert not required or key in WRITTEN


WRITTEN = {"title", "base_url", "language", "timezone", "publisher", "sections", "theme", "host"}


def test_uncommenting_every_default_changes_nothing(tmp_path: Path) -> None:
    site = tmp_path / "site"
    init(site)
    text = (site / "site.yaml").read_text("utf-8")
    uncommented = re.sub(r"^# ((?:[a-z_]+:|  [a-z_]+:).*)$", r"\1", text, flags=re.M)
    assert uncommented != text
    for key in KEYS:
        assert re.search(rf"^{key}:", uncommented, re.M), key
    given, defaults = parse_config(load_yaml(text)), parse_config(load_yaml(uncommented))
    assert given == defaults
    assert given.check == defaults.check == CheckSettings()
    assert given.publish == defaults.publish
    assert {f.name for f in fields(SiteConfig)} >= {"check", "publish"}


def test_the_theme_folder_holds_only_its_readme_which_lists_the_default_templates(
    tmp_path: Path,
) -> None:
    site = tmp_path / "site"
    init(site)
    assert written(site / "themes") == ["site/README.md"]
    readme = (site / "themes" / "site" / "README.md").read_text("utf-8")
    for folder in ("templates", "static"):
        root = DEFAULT_THEME_DIR / folder
        for path in sorted(p for p in root.rglob("*") if p.is_file()):
            assert f"- `{folder}/{path.relative_to(root).as_posix()}`" in readme


def test_the_welcome_picture_is_a_real_png() -> None:
    from PIL import Image

    data = two_band_png(1200, 630)
    with Image.open(io.BytesIO(data)) as image:
        image.verify()
    with Image.open(io.BytesIO(data)) as image:
        assert (image.format, image.size, image.mode) == ("PNG", (1200, 630), "RGB")
        assert image.getpixel((0, 0)) == (0x1F, 0x3A, 0x5F)
        assert image.getpixel((0, 629)) == (0xD9, 0xDE, 0xE5)


def test_two_inits_at_one_time_write_the_same_files(tmp_path: Path) -> None:
    init(tmp_path / "a")
    init(tmp_path / "b")
    a, b = output_files(tmp_path / "a"), output_files(tmp_path / "b")
    assert a.keys() == b.keys()
    same = [path for path in a if a[path] == b[path]]
    # Only the story (dated at init time) may differ.
    assert sorted(set(a) - set(same)) in ([], [story_of(tmp_path / "a")])


def test_every_language_has_its_words_and_every_host_is_a_host_site_yaml_knows() -> None:
    assert tuple(WORDS) == LANGUAGES
    assert set(HOSTS) <= set(config.HOSTS)


def test_the_skeleton_ships_in_the_wheel() -> None:
    pyproject = tomllib.loads((REPO / "pyproject.toml").read_text("utf-8"))
    assert "init/skeleton/*" in pyproject["tool"]["setuptools"]["package-data"]["gen"]


def test_the_commands_load_without_the_build(tmp_path: Path) -> None:
    # `dateline --version` and --help stay fast: the command line is built from modules
    # that import their work when a command runs (no Jinja, Markdown, Pillow, YAML, model).
    code = (
        "import sys; from gen.cli import make_parser; make_parser(); "
        "print(sorted(m for m in sys.modules if m.split('.')[0] in "
        "('gen', 'jinja2', 'markdown', 'PIL', 'yaml', 'cmarkgfm', 'watchdog')))"
    )
    run = subprocess.run(
        [sys.executable, "-c", code], cwd=REPO, capture_output=True, text=True, check=True
    )
    assert run.stdout.strip() == str(
        [
            "gen",
            "gen.cli",
            "gen.errors",
            "gen.importers",
            "gen.importers.command",
            "gen.init",
            "gen.init.command",
            "gen.publish",
            "gen.publish.command",
            "gen.schedule",
            "gen.schedule.command",
        ]
    )
    version = subprocess.run(
        [sys.executable, "build.py", "--version"], cwd=REPO, capture_output=True, text=True
    )
    assert (version.returncode, version.stdout) == (0, f"dateline {__version__}\n")


# --- the pre-commit hook it configures ----------------------------------------------------


@pytest.fixture(scope="module")
def pre_commit_home(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Path:
    """pre-commit's store, shared with tests/test_precommit.py in pytest's cache."""
    cache = getattr(request.config, "cache", None)  # None under -p no:cacheprovider
    if cache is None:
        return tmp_path_factory.mktemp("pre-commit-home")
    return cache.mkdir("pre-commit-home")


def test_the_pre_commit_config_runs_the_hook(tmp_path: Path, pre_commit_home: Path) -> None:
    site = tmp_path / "newsroom"
    init(site)
    config = yaml.safe_load((site / ".pre-commit-config.yaml").read_text("utf-8"))
    (repo,) = config["repos"]
    assert repo == {
        "repo": "https://github.com/dateline-news/dateline",
        "rev": f"v{__version__}",
        "hooks": [{"id": "dateline-check"}],
    }
    # The project's public repository, replaced by a snapshot of this working tree.
    hook_repo = snapshot(REPO, pre_commit_home.parent / "pre-commit-repo")
    home = fresh_store(pre_commit_home, hook_repo)
    text = (site / ".pre-commit-config.yaml").read_text("utf-8")
    text = text.replace(repo["repo"], str(hook_repo)).replace(repo["rev"], head(hook_repo))
    (site / ".pre-commit-config.yaml").write_text(text, "utf-8")
    git(site, "init", "-q")
    git(site, "add", "-A")
    run = subprocess.run(
        [sys.executable, "-m", "pre_commit", "run", "--all-files", "--color", "never"],
        cwd=site,
        env={**clean_env(), "PRE_COMMIT_HOME": str(home)},
        capture_output=True,
        text=True,
        timeout=900,
    )
    assert run.returncode == 0, run.stdout + run.stderr
    assert re.search(r"^dateline check\.+Passed$", run.stdout, re.M), run.stdout
