"""dateline import wordpress: a WXR export's posts become stories that build and pass
`dateline check`, every old URL redirects to its story, and a second import changes nothing
but what nobody edited."""

from __future__ import annotations

import argparse
import io
import os
import re
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

import pytest

from gen.importers import command
from tests.conftest import CLOCK, SITE_YAML, Run, build, make_site, output_files, png, run_cli

FIXTURES = Path(__file__).parent / "fixtures" / "import"
EXPORT = FIXTURES / "newsroom.wordpress.xml"
# The WordPress theme unit test export is not vendored (see fixtures/import/README.md):
# point this at a copy of themeunittestdata.wordpress.xml to import it too.
THEME_TEST_DATA = os.environ.get("DATELINE_THEME_TEST_DATA", "")


def run_import(*args: str) -> Run:
    """`dateline import ARGS`, in this process (through gen.cli once it is wired there)."""
    parser = argparse.ArgumentParser(prog="dateline")
    commands = parser.add_subparsers(dest="command")
    command.add_parser(commands)
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        code = command.run(parser.parse_args(["import", *args]))
    return Run(code, out.getvalue(), err.getvalue())


def uploads(root: Path) -> Path:
    """The uploads folder the export's attachments are in."""
    for name in ("pier.png", "crane.png"):
        path = root / "2021" / "03" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(png(64, 48))
    return root


def import_newsroom(site: Path, tmp_path: Path) -> Run:
    """Import the fixture export into `site` with its uploads and a default credit."""
    return run_import(
        "wordpress",
        str(EXPORT),
        "--site",
        str(site),
        "--media",
        str(uploads(tmp_path / "uploads")),
        "--default-credit",
        "Gazette archive",
    )


def story(site: Path, slug: str) -> str:
    """The text of an imported story."""
    (path,) = site.glob(f"content/articles/*/{slug}.md")
    return path.read_text(encoding="utf-8")


def test_imported_site_builds_and_passes_check(tmp_path: Path) -> None:
    site = tmp_path / "site"
    result = import_newsroom(site, tmp_path)
    assert result.code == 0, result.err
    assert "Imported 5 posts, 2 authors, 2 images" in result.out
    assert build(site).code == 0
    checked = run_cli("check", "--site", str(site), "--clock", CLOCK)
    assert checked.code == 0, checked.out
    assert " error " not in checked.out


def test_posts_become_stories_with_their_front_matter(tmp_path: Path) -> None:
    site = tmp_path / "site"
    import_newsroom(site, tmp_path)
    budget = story(site, "harbour-budget")
    assert budget.startswith(
        "---\ntitle: Council approves the harbour budget\nauthor: mara\n"
        "date: 2021-03-02T19:15:00+00:00\nupdated: 2021-03-03T08:00:00+00:00\n"
        "section: city-hall\ntags: [Port, Budget]\n"
        "summary: The council voted for the harbour budget.\nslug: harbour-budget\n"
        "image:\n  src: images/2021/03/pier.png\n  alt: A wooden pier in fog\n"
        "  credit: Gazette archive\n  caption: The old ferry pier at dawn.\n"
    )
    # autop: a single line break is a <br>; [caption] and [gallery] are figures.
    assert "Tuesday.  \nThe vote came after a long night.\n" in budget
    assert (
        '\n![A wooden pier in fog](images/2021/03/pier.png "The pier the budget will repair.'
        '|Gazette archive")\n' in budget
    )
    assert "\n![Crane](images/2021/03/crane.png" in budget
    assert "\nhttps://www.youtube.com/watch?v=dQw4w9WgXcQ\n" in budget
    assert "[strike story](/2021/03/05/port-strike/)" in budget  # a link to its new URL
    assert (site / "content/images/2021/03/pier.png").read_bytes() == png(64, 48)
    assert (site / "content/authors/mara.yaml").read_text() == 'name: "Mara Lind"\n'
    assert "draft: true" in story(site, "mayors-diary")  # password-protected
    assert "draft: true" in story(site, "notes-for-the-ferry-timetable-story")
    assert "date: 2031-01-01T06:00:00+00:00" in story(site, "ferry-timetable")


def test_gutenberg_blocks_become_markdown(tmp_path: Path) -> None:
    site = tmp_path / "site"
    import_newsroom(site, tmp_path)
    strike = story(site, "port-strike")
    body = strike.split("---\n", 2)[2]
    assert body == (
        "\nDock workers stayed out on Friday.\n\n## Who is striking\n\n- crane operators\n"
        "- pilots\n\n> We will not load a ship.\n>\n> A union steward\n\n"
        '![Idle cranes](images/2021/03/crane.png "The cranes stood still.|Gazette archive")\n\n'
        "| Day | Ships |\n| --- | --- |\n| Thursday | 4 |\n| Friday | 0 |\n\n"
        "https://twitter.com/gazette/status/1368\n\n<!-- wp:latest-posts /-->\n"
    )


def test_report_lists_every_item_for_a_person_by_file_and_line(tmp_path: Path) -> None:
    site = tmp_path / "site"
    import_newsroom(site, tmp_path)
    report = (site / "import-report.md").read_text(encoding="utf-8")
    for line in (
        "- content/articles/2021/harbour-budget.md:1: 2 comments not imported",
        "- content/articles/2021/harbour-budget.md:1: was sticky on WordPress",
        "- content/articles/2021/harbour-budget.md:29: credit is --default-credit "
        "'Gazette archive'",
        "- content/articles/2021/harbour-budget.md:33: shortcode \\[audio] left as written",
        "- content/articles/2021/mayors-diary.md:1: was password-protected: imported as a draft",
        "- content/articles/2021/port-strike.md:29: dynamic block wp:latest-posts: WordPress "
        "made it",
        "- newsroom.wordpress.xml:162: page 'About the Gazette' "
        "(https://gazette.example.org/about/) not imported",
        "- site.yaml: 5 old addresses /?p=ID not made aliases: set host: netlify, nginx or "
        "apache in site.yaml, then import again",
    ):
        assert line in report
    # The line named is the marker's.
    strike = story(site, "port-strike").splitlines()
    assert strike[28] == "<!-- wp:latest-posts /-->"


def test_every_old_url_resolves_to_its_story(tmp_path: Path) -> None:
    site = make_site(tmp_path / "site", {"site.yaml": SITE_YAML + "host: netlify\n"})
    assert import_newsroom(site, tmp_path).code == 0
    assert build(site).code == 0
    out = output_files(site / "output")
    redirects = out["_redirects"].decode()
    # The permalink is the new URL; the old slug and /?p=ID redirect to it.
    assert "2021/03/02/harbour-budget/index.html" in out
    assert "/ p=100 /2021/03/02/harbour-budget/ 301!" in redirects
    assert "/ p=101 /2021/03/05/port-strike/ 301!" in redirects
    assert "/2021/03/02/budget-vote/ /2021/03/02/harbour-budget/ 301" in redirects
    assert b"/2021/03/02/harbour-budget/" in out["2021/03/02/budget-vote/index.html"]
    # An existing site keeps its sections: the categories go to its first, and the report says so.
    report = (site / "import-report.md").read_text(encoding="utf-8")
    assert "category 'city-hall' maps to section 'city-hall', which site.yaml does not have" in (
        report
    )


def test_second_import_changes_nothing(tmp_path: Path) -> None:
    site = tmp_path / "site"
    import_newsroom(site, tmp_path)
    before = output_files(site)
    again = import_newsroom(site, tmp_path)
    assert again.code == 0
    assert "0 files written" in again.out
    assert output_files(site) == before


def test_reimport_leaves_an_edited_story_as_edited(tmp_path: Path) -> None:
    site = tmp_path / "site"
    import_newsroom(site, tmp_path)
    edited = site / "content/articles/2021/port-strike.md"
    text = edited.read_text(encoding="utf-8").replace("Friday.", "Friday, the union said.")
    edited.write_text(text, encoding="utf-8")
    again = import_newsroom(site, tmp_path)
    assert "1 left as edited" in again.out
    assert edited.read_text(encoding="utf-8") == text
    report = (site / "import-report.md").read_text(encoding="utf-8")
    assert (
        "- `content/articles/2021/port-strike.md`: edited since the last import: left as edited"
        in report
    )


def test_refuses_an_export_with_entities(tmp_path: Path) -> None:
    export = tmp_path / "bomb.xml"
    export.write_text(
        '<?xml version="1.0"?>\n<!DOCTYPE rss [\n<!ENTITY a "aaaaaaaaaa">\n]>\n'
        "<rss><channel>&a;</channel></rss>\n"
    )
    result = run_import("wordpress", str(export), "--site", str(tmp_path / "site"))
    assert result.code == 1
    assert result.err == (
        "bomb.xml:2: declares a DTD or entities, which an export never needs; refused\n"
    )
    assert not (tmp_path / "site").exists()


@pytest.mark.skipif(not THEME_TEST_DATA, reason="DATELINE_THEME_TEST_DATA is not set")
def test_theme_unit_test_export_builds_and_passes_check(tmp_path: Path) -> None:
    site = tmp_path / "site"
    result = run_import("wordpress", THEME_TEST_DATA, "--site", str(site))
    assert result.code == 0, result.err
    assert re.search(r"Imported 58 posts", result.out)
    assert build(site).code == 0
    assert run_cli("check", "--site", str(site), "--clock", CLOCK).code == 0
