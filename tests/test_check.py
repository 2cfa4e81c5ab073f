"""`dateline check`: each rule's exact findings on its fixture story, the seed's flaws at their
lines, silencing, levels from site.yaml, exit statuses, and the sample site."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from tests.conftest import CLOCK, REPO, article, make_site, png, run_cli

FIXTURES = Path(__file__).parent / "fixtures" / "check"
OTHER = article(
    "Advisers agree on three panels",
    date="2026-01-05T10:00:00+02:00",
    extra="slug: other-story\n",
    body="The advisers agreed.\n\n## What was agreed\n\nThree panels.\n",
)
UNFINISHED = article("Unfinished", date="2026-01-04T10:00:00+02:00", extra="draft: true\n")


def fixture_site(root: Path, name: str, extra: dict[str, str] | None = None) -> Path:
    """A small site holding fixture `name` as content/articles/<name>.md."""
    text = (FIXTURES / f"{name}.md").read_text(encoding="utf-8")
    unused = {} if "photo.png" in text else {"content/images/photo.png": ""}  # unused-image
    return make_site(
        root,
        {
            **unused,
            "content/articles/other.md": OTHER,
            "content/articles/unfinished.md": UNFINISHED,
            f"content/articles/{name}.md": text,
            **(extra or {}),
        },
    )


def bare_site(root: Path, files: dict[str, str | bytes]) -> Path:
    """`make_site` without its sample photo unless a story uses it (else: unused-image)."""
    used = any("photo.png" in str(text) for text in files.values())
    return make_site(root, files if used else {"content/images/photo.png": "", **files})


def check(site: Path, *args: str) -> tuple[int, list[str], str]:
    """Run `dateline check` on `site`: exit status, finding lines, stderr."""
    result = run_cli("check", "--site", str(site), "--clock", CLOCK, *args)
    return result.code, [line for line in result.out.splitlines() if line], result.err


def expected(name: str) -> list[str]:
    lines = (FIXTURES / f"{name}.expected").read_text(encoding="utf-8").splitlines()
    return [f"content/articles/{name}.md:{line}" for line in lines if line]


@pytest.mark.parametrize(
    "name",
    sorted(p.stem for p in FIXTURES.glob("*.expected")),
)
def test_fixture_story_gives_exactly_its_findings(tmp_path: Path, name: str) -> None:
    site = fixture_site(tmp_path, name)
    code, lines, err = check(site)
    mine = [line for line in lines if line.startswith(f"content/articles/{name}.md:")]
    assert mine == expected(name), err
    others = [line for line in lines if line not in mine]
    assert others == [], others
    levels = {line.split(": ", 1)[1].split(" ", 1)[0] for line in mine}
    assert code == (1 if "error" in levels else 0)


def test_seed_flaws_are_found_at_their_lines(tmp_path: Path) -> None:
    """The story Dateline started from: headline and lede twice, three paragraphs repeated,
    a stated word count 300 words short."""
    code, lines, _ = check(fixture_site(tmp_path, "seed"))
    assert code == 1
    found = {(line.split(":")[1], line.split(": ")[1].split(" ")[1]) for line in lines}
    for line in ("12", "26", "28", "34", "40"):  # headline twice, lede and two more paragraphs
        assert (line, "duplicate-paragraph") in found
    assert ("64", "stated-word-count") in found
    text = (FIXTURES / "seed.md").read_text(encoding="utf-8").splitlines()
    assert text[63] == "(Word count: 712)"
    assert text[27] == text[19]  # the lede, word for word


def test_sample_site_has_no_findings(tmp_path: Path) -> None:
    """The bundled sample site passes: no errors, and no warnings either."""
    code, lines, err = check(REPO, "--no-cache")
    assert (code, lines) == (0, []), err
    assert "0 errors, 0 warnings" in err


def test_kiev_inside_a_direct_quote_passes(tmp_path: Path) -> None:
    body = (
        'The minister said: "Kiev will never accept this." Residents of Kyiv disagreed.\n\n'
        "A convoy left Kiev at dawn.\n"
    )
    site = bare_site(tmp_path, {"content/articles/a.md": article(body=body)})
    code, lines, _ = check(site)
    assert code == 0
    assert lines == [
        "content/articles/a.md:10:15: warning style/ukraine: Use 'Kyiv' instead of 'Kiev'."
    ]


def test_site_levels_and_story_silencing(tmp_path: Path) -> None:
    """check.rules changes levels and turns rules off; a story silences one in its front
    matter; an unknown rule id is an error at its line in site.yaml."""
    site = fixture_site(tmp_path, "credit")
    assert check(site)[1]  # two credit warnings
    text = (tmp_path / "site.yaml").read_text(encoding="utf-8")
    (tmp_path / "site.yaml").write_text(
        text + "check:\n  rules:\n    credit: error\n    alt-txt: off\n", encoding="utf-8"
    )
    code, lines, _ = check(site)
    assert code == 1
    assert lines == [
        "content/articles/credit.md:8:1: error credit: image images/photo.png has no credit "
        '(write it as ![alt](src "Caption|Credit"))',
        "content/articles/credit.md:10:1: error credit: image images/photo.png has no credit "
        '(write it as ![alt](src "Caption|Credit"))',
        f"site.yaml:{len(text.splitlines()) + 4}:1: error build: unknown rule 'alt-txt' in "
        "check.rules; did you mean 'alt-text'?",
    ]
    (tmp_path / "site.yaml").write_text(text + "check:\n  rules: {credit: off}\n", "utf-8")
    assert check(site)[:2] == (0, [])
    (tmp_path / "site.yaml").write_text(text, encoding="utf-8")
    story = tmp_path / "content/articles/credit.md"
    story.write_text(
        story.read_text("utf-8").replace("section:", "check: {ignore: [credit]}\nsection:"),
        "utf-8",
    )
    assert check(site)[:2] == (0, [])


def test_a_bad_check_key_in_front_matter_fails_the_build(tmp_path: Path) -> None:
    site = bare_site(
        tmp_path, {"content/articles/a.md": article(extra="check: {ignor: [credit]}\n")}
    )
    result = run_cli("build", "--site", str(site), "--clock", CLOCK)
    assert result.code == 1
    assert "content/articles/a.md:6: unknown key 'check.ignor'; did you mean 'ignore'?" in (
        result.err
    )


def test_strict_and_usage_exit_statuses(tmp_path: Path) -> None:
    site = fixture_site(tmp_path, "credit")
    assert check(site)[0] == 0  # warnings only
    assert check(site, "--strict")[0] == 1
    assert check(site, "--format", "yaml")[0] == 2
    outside = tmp_path.parent / "elsewhere.md"
    outside.write_text("x", encoding="utf-8")
    code, _, err = check(site, str(outside))
    assert code == 2
    assert "is not inside the site" in err


def test_only_the_given_paths_are_reported(tmp_path: Path) -> None:
    site = fixture_site(
        tmp_path, "credit", {"content/articles/b.md": article(body="![x y z](images/photo.png)\n")}
    )
    code, lines, _ = check(site, str(site / "content/articles/b.md"))
    assert code == 0
    assert [line.split(":")[0] for line in lines] == ["content/articles/b.md"]
    assert "credit" in lines[0]


def test_json_format_holds_every_finding(tmp_path: Path) -> None:
    site = fixture_site(tmp_path, "broken-link")
    result = run_cli("check", "--site", str(site), "--clock", CLOCK, "--format", "json")
    assert result.code == 1
    data = json.loads(result.out)
    text_lines = check(site)[1]
    assert len(data["findings"]) == len(text_lines)
    assert data["counts"] == {"error": 8, "warning": 1}


def test_github_format_writes_the_job_summary(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    site = fixture_site(tmp_path, "broken-link")
    summary = tmp_path / "summary.md"
    monkeypatch.setenv("GITHUB_STEP_SUMMARY", str(summary))
    result = run_cli("check", "--site", str(site), "--clock", CLOCK, "--format", "github")
    assert result.code == 1
    commands = result.out.splitlines()
    assert commands[0].startswith(
        "::error file=content/articles/broken-link.md,line=12,col=29,title=broken-link::"
    )
    assert len(commands) == len(check(site)[1]) == 9
    assert summary.read_text("utf-8").count("broken-link.md:") == 9


def test_a_check_after_one_edit_reads_one_story(tmp_path: Path) -> None:
    site = fixture_site(tmp_path, "credit")
    assert "(0 unchanged)" in check(site)[2]
    assert "Checked 3 stories (3 unchanged)" in check(site)[2]
    story = site / "content/articles/other.md"
    story.write_text(story.read_text("utf-8") + "\nOne more line.\n", "utf-8")
    assert "Checked 3 stories (2 unchanged)" in check(site)[2]


def test_check_writes_nothing_into_the_output(tmp_path: Path) -> None:
    site = fixture_site(tmp_path, "broken-link")
    check(site)
    assert not (site / "output").exists()


def test_build_fails_on_a_broken_link_and_keeps_the_output(tmp_path: Path) -> None:
    site = bare_site(tmp_path, {"content/articles/other.md": OTHER})
    assert run_cli("build", "--site", str(site), "--clock", CLOCK).code == 0
    before = {p: p.read_bytes() for p in (site / "output").rglob("*") if p.is_file()}
    (site / "content/articles/a.md").write_text(
        article(body="See [the story](/2026/01/05/other-stroy/).\n"), "utf-8"
    )
    result = run_cli("build", "--site", str(site), "--clock", CLOCK)
    assert result.code == 1
    assert (
        "content/articles/a.md:8: links to /2026/01/05/other-stroy/, which the site does not "
        "publish [broken-link] (did you mean /2026/01/05/other-story/?)"
    ) in result.err
    after = {p: p.read_bytes() for p in (site / "output").rglob("*") if p.is_file()}
    assert after == before
    result = run_cli("build", "--site", str(site), "--clock", CLOCK, "--no-check")
    assert result.code == 0
    assert "(--no-check: links and URLs not checked)" in result.out


def test_url_changed_needs_an_alias(tmp_path: Path) -> None:
    """A story whose URL changed since the last build fails the build until an alias keeps
    its old URL working."""
    site = bare_site(tmp_path, {"content/articles/a.md": article(extra="slug: first-slug\n")})
    assert run_cli("build", "--site", str(site), "--clock", CLOCK).code == 0
    story = site / "content/articles/a.md"
    story.write_text(article(extra="slug: second-slug\n"), "utf-8")
    message = (
        "content/articles/a.md:6: was published at /2026/01/06/first-slug/ and is now at "
        "/2026/01/06/second-slug/; links to the old URL would break [url-changed] "
        "(add aliases: [/2026/01/06/first-slug/])"
    )
    result = run_cli("build", "--site", str(site), "--clock", CLOCK)
    assert result.code == 1
    assert message in result.err
    code, lines, _ = check(site)
    assert code == 1
    assert lines == [
        "content/articles/a.md:6:1: error url-changed: was published at /2026/01/06/first-slug/ "
        "and is now at /2026/01/06/second-slug/; links to the old URL would break "
        "(add aliases: [/2026/01/06/first-slug/])"
    ]
    story.write_text(
        article(extra="slug: second-slug\naliases: [/2026/01/06/first-slug/]\n"), "utf-8"
    )
    assert run_cli("build", "--site", str(site), "--clock", CLOCK).code == 0


def test_a_renamed_story_file_is_followed_by_its_headline(tmp_path: Path) -> None:
    site = bare_site(tmp_path, {"content/articles/a.md": article()})
    assert run_cli("build", "--site", str(site), "--clock", CLOCK).code == 0
    (site / "content/articles/a.md").rename(site / "content/articles/b.md")
    (site / "content/articles/b.md").write_text(article(extra="slug: kyiv-talks\n"), "utf-8")
    code, lines, _ = check(site)
    assert code == 1
    assert lines[0].startswith("content/articles/b.md:6:1: error url-changed: was published at")


def test_the_sample_check_after_copying_keeps_zero_findings(tmp_path: Path) -> None:
    """Copied elsewhere (no .cache, no output), the sample site still checks clean: the
    check does not depend on a previous build."""
    copy = tmp_path / "site"
    shutil.copytree(REPO / "content", copy / "content")
    shutil.copy(REPO / "site.yaml", copy / "site.yaml")
    if (REPO / "themes").is_dir():
        shutil.copytree(REPO / "themes", copy / "themes")
    code, lines, err = check(copy)
    assert (code, lines) == (0, []), err


def test_readme_lists_every_rule_at_its_level() -> None:
    """README's rule table is the rules' registry, row for row."""
    from gen.check.rules import RULES

    text = (REPO / "README.md").read_text(encoding="utf-8")
    section = text.split("### Editorial checks", 1)[1]
    rows = {}
    for line in section.split("| rule | level | finds |", 1)[1].splitlines()[2:]:
        if not line.startswith("| `"):
            break
        cells = line.split(" | ")
        rows[cells[0].strip("| `")] = cells[1]
    expected = {rule.id: rule.level for rule in RULES.values()}
    expected |= {"style/<name>": "per rule", "build": "error"}
    assert rows == expected


def test_an_iframe_of_a_known_provider_is_told_the_embed_form(tmp_path: Path) -> None:
    body = '<iframe src="https://www.youtube.com/embed/dQw4w9WgXcQ" title="Video"></iframe>\n'
    site = bare_site(tmp_path, {"content/articles/a.md": article(body=body)})
    _, lines, _ = check(site)
    assert (
        "content/articles/a.md:8:1: warning raw-html: raw <iframe> in the body (put the YouTube "
        "page's address alone in its paragraph: readers get a card, and the provider is "
        "contacted only when they press Load)"
    ) in lines


def test_an_image_nothing_uses_is_an_unused_image_warning(tmp_path: Path) -> None:
    site = bare_site(
        tmp_path, {"content/articles/a.md": article(), "content/images/spare.png": png(4, 4)}
    )
    code, lines, _ = check(site)
    assert (code, lines) == (
        0,
        [
            "content/images/spare.png:1:1: warning unused-image: no story, author or the "
            "publisher shows or links to this image, so it is not published (delete it, or use "
            "it in a story)"
        ],
    )
    assert run_cli("build", "--site", str(site), "--clock", CLOCK).code == 0
    assert not (site / "output/images/spare.png").exists()


def test_list_rules_names_every_rule_with_its_level(tmp_path: Path) -> None:
    """`--list-rules`: the registry, the site's own styles and the build pseudo-rule."""
    from gen.check.rules import RULES

    site = bare_site(tmp_path, {"content/articles/a.md": article()})
    (site / "styles").mkdir()
    (site / "styles/hedges.yml").write_text(
        "extends: existence\nmessage: \"Attribute '%s'.\"\ntokens: [reportedly]\n", "utf-8"
    )
    result = run_cli("check", "--site", str(site), "--list-rules")
    assert result.code == 0
    listed = {line.split()[0]: line.split()[1] for line in result.out.splitlines()}
    expected = {rule.id: rule.level for rule in RULES.values()}
    assert listed == expected | {
        "build": "error",
        "style/ukraine": "warning",
        "style/hedges": "warning",
    }


def test_external_links_are_checked_only_when_asked_and_found_at_their_place(
    tmp_path: Path,
) -> None:
    """--external asks a real server; without it nothing is fetched."""
    import http.server
    import threading

    asked: list[str] = []

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_HEAD(self) -> None:
            asked.append(self.path)
            self.send_response(200 if self.path == "/ok" else 404)
            self.end_headers()

        do_GET = do_HEAD  # noqa: N815 (http.server's API: the check asks again with GET)

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        base = f"http://127.0.0.1:{server.server_address[1]}"
        body = f"Fine: [one]({base}/ok).\n\nGone: [two]({base}/gone).\n"
        site = bare_site(tmp_path, {"content/articles/a.md": article(body=body)})
        assert check(site)[:2] == (0, [])
        assert asked == []
        code, lines, _ = check(site, "--external")
    finally:
        server.shutdown()
    assert code == 1
    assert len(lines) == 1
    assert lines[0].startswith(
        f"content/articles/a.md:10:13: error external-link: dead link: {base}/gone (404 Not Found)"
    )
    assert set(asked) == {"/gone", "/ok"}
