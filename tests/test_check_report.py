"""The findings' formats: text, GitHub workflow commands and job summary, JSON, SARIF."""

from __future__ import annotations

import json
import re
import tomllib
from functools import cache
from typing import Any

from jsonschema.validators import validator_for

from gen import __version__
from gen.check import report
from gen.check.report import (
    github_report,
    github_summary,
    json_report,
    sarif_report,
    text_report,
)
from gen.check.rules import RULES, Finding, Rule
from tests.conftest import REPO

TALKS = "content/articles/2026/kyiv-talks.md"
GRAIN = "content/articles/2026/grain.md"
DUPLICATE = Finding(
    TALKS,
    12,
    1,
    "duplicate-paragraph",
    "error",
    "repeats the paragraph at line 9 word for word",
    "delete one of them",
)
COUNT = Finding(
    TALKS,
    20,
    5,
    "stated-word-count",
    "warning",
    "says 712 words; the text has 340",
    "write 340, or remove the count",
)
HEADLINE = Finding(
    GRAIN, 3, 1, "headline-length", "warning", "the headline is 120 characters, more than 110"
)
FINDINGS = (DUPLICATE, COUNT, HEADLINE)
DESCRIPTIONS = {rule.id: rule.description for rule in RULES.values()}
# A path a URI must encode: a space, Cyrillic, and a colon that would read as a scheme.
ODD_PATH = "content/articles/2026/нова стаття: чернетка.md"


def test_text_report_is_one_finding_a_line() -> None:
    assert text_report(FINDINGS) == (
        f"{TALKS}:12:1: error duplicate-paragraph: repeats the paragraph at line 9 word for word"
        " (delete one of them)\n"
        f"{TALKS}:20:5: warning stated-word-count: says 712 words; the text has 340"
        " (write 340, or remove the count)\n"
        f"{GRAIN}:3:1: warning headline-length: the headline is 120 characters, more than 110\n"
    )
    assert text_report([]) == ""


def test_github_report_is_one_workflow_command_a_finding() -> None:
    assert github_report(FINDINGS) == (
        f"::error file={TALKS},line=12,col=1,title=duplicate-paragraph::"
        "repeats the paragraph at line 9 word for word (delete one of them)\n"
        f"::warning file={TALKS},line=20,col=5,title=stated-word-count::"
        "says 712 words; the text has 340 (write 340, or remove the count)\n"
        f"::warning file={GRAIN},line=3,col=1,title=headline-length::"
        "the headline is 120 characters, more than 110\n"
    )
    assert github_report([]) == ""


def test_github_report_escapes_as_the_toolkit_does() -> None:
    finding = Finding(
        "content/a,b:c%d\n.md", 1, 2, "style/x:y,z", "warning", "50% off: a, b\r\nnext %0A"
    )
    assert github_report([finding]) == (
        "::warning file=content/a%2Cb%3Ac%25d%0A.md,line=1,col=2,title=style/x%3Ay%2Cz::"
        "50%25 off: a, b%0D%0Anext %250A\n"
    )


def test_github_summary_lists_every_finding() -> None:
    assert github_summary(FINDINGS, DESCRIPTIONS) == (
        "## Dateline check\n"
        "\n"
        "**1 error, 2 warnings** in 2 files.\n"
        "\n"
        "| Where | Level | Rule | Message |\n"
        "| --- | --- | --- | --- |\n"
        f"| {TALKS}:12 | error | duplicate-paragraph"
        " | repeats the paragraph at line 9 word for word (delete one of them) |\n"
        f"| {TALKS}:20 | warning | stated-word-count"
        " | says 712 words; the text has 340 (write 340, or remove the count) |\n"
        f"| {GRAIN}:3 | warning | headline-length"
        " | the headline is 120 characters, more than 110 |\n"
        "\n"
        "Rules:\n"
        "\n"
        "- duplicate-paragraph: a paragraph or the headline appears twice in a story"
        " (or nearly: 90% alike)\n"
        "- headline-length: a headline longer than the limit (110 characters:"
        " Google's NewsArticle limit)\n"
        "- stated-word-count: a word count or reading time written in the text is more than"
        " 5% off\n"
    )


def test_github_summary_without_findings() -> None:
    assert github_summary([], DESCRIPTIONS) == "## Dateline check\n\nNo findings.\n"


def test_github_summary_cells_cannot_carry_markup() -> None:
    finding = Finding(
        "content/a_b|c.md",
        4,
        1,
        "raw-html",
        "warning",
        "a | b <script>alert(1)</script> & [x](javascript:y)\r\n*two* `lines`",
    )
    table_row = github_summary([finding], {}).splitlines()[-1]
    assert table_row == (
        r"| content/a\_b\|c.md:4 | warning | raw-html"
        r" | a \| b &lt;script&gt;alert(1)&lt;/script&gt; &amp; \[x\](javascript:y)<br>"
        r"\*two\* \`lines\` |"
    )


def test_json_report_has_a_fixed_shape() -> None:
    assert json_report([DUPLICATE, HEADLINE]) == (
        "{\n"
        f'  "version": "{__version__}",\n'
        '  "findings": [\n'
        "    {\n"
        f'      "path": "{TALKS}",\n'
        '      "line": 12,\n'
        '      "column": 1,\n'
        '      "rule": "duplicate-paragraph",\n'
        '      "level": "error",\n'
        '      "message": "repeats the paragraph at line 9 word for word",\n'
        '      "hint": "delete one of them"\n'
        "    },\n"
        "    {\n"
        f'      "path": "{GRAIN}",\n'
        '      "line": 3,\n'
        '      "column": 1,\n'
        '      "rule": "headline-length",\n'
        '      "level": "warning",\n'
        '      "message": "the headline is 120 characters, more than 110",\n'
        '      "hint": ""\n'
        "    }\n"
        "  ],\n"
        '  "counts": {\n'
        '    "error": 1,\n'
        '    "warning": 1\n'
        "  }\n"
        "}\n"
    )
    assert json.loads(json_report([])) == {
        "version": __version__,
        "findings": [],
        "counts": {"error": 0, "warning": 0},
    }


def test_json_report_round_trips() -> None:
    odd = Finding(ODD_PATH, 7, 3, "raw-html", "warning", 'a "quoted" <b>\n\\ message', "é")
    findings = [*FINDINGS, odd]
    document = json.loads(json_report(findings))
    back = [
        Finding(f["path"], f["line"], f["column"], f["rule"], f["level"], f["message"], f["hint"])
        for f in document["findings"]
    ]
    assert back == findings
    assert document["counts"] == {"error": 1, "warning": 3}


@cache
def sarif_validator() -> Any:
    """A validator for the vendored SARIF 2.1.0 schema, of the draft its `$schema` names."""
    schema = json.loads((REPO / "tests/schemas/sarif-schema-2.1.0.json").read_text("utf-8"))
    cls = validator_for(schema)
    cls.check_schema(schema)
    return cls(schema, format_checker=cls.FORMAT_CHECKER)


def valid_sarif(text: str) -> dict[str, Any]:
    """The SARIF log in `text`, after checking it against the schema."""
    assert text.endswith("}\n")
    log: dict[str, Any] = json.loads(text)
    sarif_validator().validate(log)
    return log


def test_sarif_without_findings_is_valid() -> None:
    log = valid_sarif(sarif_report([], list(RULES.values())))
    (run,) = log["runs"]
    assert run["results"] == []
    assert [rule["id"] for rule in run["tool"]["driver"]["rules"]] == list(RULES)
    assert "originalUriBaseIds" not in run


def test_sarif_result_for_a_finding_with_a_hint() -> None:
    rules = [RULES["stated-word-count"], RULES["duplicate-paragraph"]]
    log = valid_sarif(sarif_report([DUPLICATE], rules, "file:///srv/ledger"))
    assert log["$schema"] == report.SARIF_SCHEMA
    assert log["version"] == "2.1.0"
    (run,) = log["runs"]
    assert run["tool"]["driver"] == {
        "name": "Dateline",
        "version": __version__,
        "rules": [
            {
                "id": "stated-word-count",
                "shortDescription": {"text": RULES["stated-word-count"].description},
                "defaultConfiguration": {"level": "warning"},
            },
            {
                "id": "duplicate-paragraph",
                "shortDescription": {"text": RULES["duplicate-paragraph"].description},
                "defaultConfiguration": {"level": "error"},
            },
        ],
    }
    assert run["originalUriBaseIds"] == {"%SRCROOT%": {"uri": "file:///srv/ledger/"}}
    assert run["results"] == [
        {
            "ruleId": "duplicate-paragraph",
            "ruleIndex": 1,
            "level": "error",
            "message": {
                "text": "Repeats the paragraph at line 9 word for word. Delete one of them."
            },
            "locations": [
                {
                    "physicalLocation": {
                        "artifactLocation": {"uri": TALKS, "uriBaseId": "%SRCROOT%"},
                        "region": {"startLine": 12, "startColumn": 1},
                    }
                }
            ],
        }
    ]


def test_sarif_with_several_findings_and_odd_paths_is_valid() -> None:
    odd = Finding(ODD_PATH, 7, 3, "style/no-cliche", "warning", "a cliché: “at the end of the day”")
    rules = [*RULES.values(), Rule("style/no-cliche", "warning", "house style: no clichés")]
    text = sarif_report([*FINDINGS, odd], rules, "file:///srv/ledger/")
    assert sarif_report([*FINDINGS, odd], rules, "file:///srv/ledger/") == text
    (run,) = valid_sarif(text)["runs"]
    assert [result["ruleId"] for result in run["results"]] == [
        "duplicate-paragraph",
        "stated-word-count",
        "headline-length",
        "style/no-cliche",
    ]
    for result in run["results"]:
        assert rules[result["ruleIndex"]].id == result["ruleId"]
    assert run["results"][1]["message"]["text"] == (
        "Says 712 words; the text has 340. Write 340, or remove the count."
    )
    assert run["results"][2]["message"]["text"] == (
        "The headline is 120 characters, more than 110."
    )
    uri = run["results"][3]["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
    assert uri == (
        "content/articles/2026/"
        "%D0%BD%D0%BE%D0%B2%D0%B0%20%D1%81%D1%82%D0%B0%D1%82%D1%82%D1%8F"
        "%3A%20%D1%87%D0%B5%D1%80%D0%BD%D0%B5%D1%82%D0%BA%D0%B0.md"
    )
    # RFC 3986 relative reference (the schema's format, which jsonschema does not check).
    assert re.fullmatch(r"[A-Za-z0-9\-._~!$&'()*+,;=@/%]*", uri)


def test_sarif_levels_and_a_rule_it_was_not_given() -> None:
    rules = [Rule("spelling", "off", "common misspellings")]
    finding = Finding(GRAIN, 1, 1, "credit", "warning", "an image without a credit!")
    (run,) = valid_sarif(sarif_report([finding], rules))["runs"]
    assert run["tool"]["driver"]["rules"][0]["defaultConfiguration"] == {"level": "none"}
    (result,) = run["results"]
    assert "ruleIndex" not in result
    assert result["message"]["text"] == "An image without a credit!"


def test_sarif_information_uri_is_the_projects_homepage() -> None:
    pyproject = tomllib.loads((REPO / "pyproject.toml").read_text("utf-8"))
    urls = pyproject["project"].get("urls", {})
    homepage = urls.get("Homepage") or urls.get("homepage")
    assert homepage == report.HOMEPAGE
    driver = json.loads(sarif_report([], []))["runs"][0]["tool"]["driver"]
    assert driver.get("informationUri") == homepage
