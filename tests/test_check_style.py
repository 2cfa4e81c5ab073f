"""The house style (gen/check/style.py): Vale's substitution and existence rules, the built-in
style for Ukraine coverage, and every error a style file can have."""

from __future__ import annotations

from pathlib import Path

import pytest

from gen.check.settings import CheckSettings
from gen.check.story import Story, read_story
from gen.check.style import StyleRule, load_styles
from gen.errors import ErrorReport
from gen.source.read import split_source

PATH = "content/articles/a.md"
FIRST = 5  # the file line of a body's first line, after the front matter below


def story(body: str, lang: str = "en") -> Story:
    """A story with a two-line front matter; its body starts on line 5."""
    doc = split_source(PATH, f"---\ntitle: A story\n---\n\n{body}", ErrorReport())
    assert doc is not None
    return read_story(doc, lang)


def styles(tmp_path: Path, files: dict[str, str] | None = None) -> tuple[StyleRule, ...]:
    """The styles of a site holding `files` (path → text), which must all load."""
    for rel, text in (files or {}).items():
        path = tmp_path / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    rules, problems = load_styles(tmp_path)
    assert problems == []
    return rules


def problems(tmp_path: Path, files: dict[str, str]) -> list[str]:
    for rel, text in files.items():
        path = tmp_path / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return [str(p) for p in load_styles(tmp_path)[1]]


def check(rules: tuple[StyleRule, ...], body: str, *, quotes: bool = False) -> list[str]:
    settings = CheckSettings(style_in_quotes=quotes)
    found = [f for rule in rules for f in rule.check(story(body), settings)]
    return [str(f) for f in sorted(found)]


def ukraine(tmp_path: Path) -> StyleRule:
    (rule,) = styles(tmp_path)
    assert rule.id == "style/ukraine"
    return rule


# --- The built-in style ----------------------------------------------------------------------

# What a writer might type → what the rule asks for instead.
SAMPLES = [
    ("Kiev", "Kyiv"),
    ("Kiev's", "Kyiv"),
    ("Kiev-based", "Kyiv"),
    ("KIEV", "Kyiv"),
    ("chicken kiev", "Kyiv"),
    ("Kharkov", "Kharkiv"),
    ("Odessa", "Odesa"),
    ("Lvov", "Lviv"),
    ("Nikolaev", "Mykolaiv"),
    ("Nikolayev", "Mykolaiv"),
    ("Dnepropetrovsk", "Dnipro' or 'Dnipropetrovsk"),
    ("Dnepr", "Dnipro"),
    ("Dniepr", "Dnipro"),
    ("Dnieper", "Dnipro"),
    ("Zaporozhye", "Zaporizhzhia"),
    ("Zaporozhie", "Zaporizhzhia"),
    ("Zaporozhe", "Zaporizhzhia"),
    ("Zaporizhia", "Zaporizhzhia"),
    ("Chernobyl", "Chornobyl"),
    ("Rovno", "Rivne"),
    ("Lugansk", "Luhansk"),
    ("Chernigov", "Chernihiv"),
    ("Vinnitsa", "Vinnytsia"),
    ("Vinnitsia", "Vinnytsia"),
    ("Zhitomir", "Zhytomyr"),
    ("Kirovograd", "Kropyvnytskyi' or 'Kirovohrad"),
    ("Ivano-Frankovsk", "Ivano-Frankivsk"),
    ("Uzhgorod", "Uzhhorod"),
    ("Ternopol", "Ternopil"),
    ("Cherkassy", "Cherkasy"),
    ("Krivoy Rog", "Kryvyi Rih"),
    ("Krivoi Rog", "Kryvyi Rih"),
    ("Artemovsk", "Bakhmut"),
    ("Artemivsk", "Bakhmut"),
    ("Severodonetsk", "Sievierodonetsk"),
    ("Sieverodonetsk", "Sievierodonetsk"),
    ("Lisichansk", "Lysychansk"),
    ("Chernovtsy", "Chernivtsi"),
    ("Chernovtsi", "Chernivtsi"),
    ("Khmelnitsky", "Khmelnytskyi"),
    ("Khmelnitskiy", "Khmelnytskyi"),
    ("Khmelnitskii", "Khmelnytskyi"),
    ("Gorlovka", "Horlivka"),
    ("Makeyevka", "Makiivka"),
    ("Makeevka", "Makiivka"),
    ("Gostomel", "Hostomel"),
    ("Irpen", "Irpin"),
    ("Izyum", "Izium"),
    ("Kupyansk", "Kupiansk"),
    ("Berdyansk", "Berdiansk"),
    ("Kremenchug", "Kremenchuk"),
    ("Belaya Tserkov", "Bila Tserkva"),
    ("Pripyat", "Prypiat"),
    ("the Ukraine", "Ukraine"),
]


def test_every_builtin_swap_fires_on_a_sample_sentence(tmp_path: Path) -> None:
    rule = ukraine(tmp_path)
    body = "\n".join(f"They reached {written} on Monday." for written, _ in SAMPLES)
    expected = []
    for index, (written, wanted) in enumerate(SAMPLES):
        found = written.removesuffix("'s").removesuffix("-based").removeprefix("chicken ")
        expected.append(
            f"{PATH}:{FIRST + index}:{14 + written.find(found)}: warning style/ukraine: "
            f"Use '{wanted}' instead of '{found}'."
        )
    assert check((rule,), body) == expected


def test_the_samples_cover_every_swap_and_every_spelling_it_lists(tmp_path: Path) -> None:
    rule = ukraine(tmp_path)
    written = [w for w, _ in SAMPLES]
    for swap in rule.swaps:
        assert any(swap.pattern.fullmatch(w) for w in written), swap.key
        if "\\" not in swap.key:
            for spelling in swap.key.split("|"):
                assert spelling in written, spelling


def test_builtin_style_describes_itself_for_list_rules(tmp_path: Path) -> None:
    rule = ukraine(tmp_path)
    assert (rule.level, rule.description) == (
        "warning",
        "Ukrainian place names spelt from Ukrainian (#CorrectUA), and 'Ukraine', not 'the Ukraine'",
    )


def test_names_already_spelt_from_ukrainian_pass(tmp_path: Path) -> None:
    body = (
        "Donetsk, Kramatorsk, Mariupol, Kherson, Sumy, Poltava, Lutsk, Nikopol, Kyiv, Kharkiv,\n"
        "Odesa, Lviv, Mykolaiv, Dnipro, Zaporizhzhia, Chornobyl and Bakhmut. Kievan Rus' fell.\n"
        "The Ukraine war, the Ukraine Defense Contact Group and the Ukraine crisis go on.\n"
    )
    assert check((ukraine(tmp_path),), body) == []


def test_the_ukraine_is_flagged_before_a_function_word_or_a_full_stop(tmp_path: Path) -> None:
    body = "He toured the Ukraine and Russia.\n\nThe Ukraine is large. Aid reached the\nUkraine."
    assert check((ukraine(tmp_path),), body) == [
        f"{PATH}:5:11: warning style/ukraine: Use 'Ukraine' instead of 'the Ukraine'.",
        f"{PATH}:7:1: warning style/ukraine: Use 'Ukraine' instead of 'The Ukraine'.",
        f"{PATH}:7:35: warning style/ukraine: Use 'Ukraine' instead of 'the Ukraine'.",
    ]


def test_a_direct_quote_passes_unless_the_site_checks_quotes(tmp_path: Path) -> None:
    body = (
        '"Kiev will stand," he said.\n\n'
        "“Kiev will stand,” she said.\n\n"
        "«Kiev will stand», they said.\n"
    )
    rule = ukraine(tmp_path)
    assert check((rule,), body) == []
    assert check((rule,), body, quotes=True) == [
        f"{PATH}:5:2: warning style/ukraine: Use 'Kyiv' instead of 'Kiev'.",
        f"{PATH}:7:2: warning style/ukraine: Use 'Kyiv' instead of 'Kiev'.",
        f"{PATH}:9:2: warning style/ukraine: Use 'Kyiv' instead of 'Kiev'.",
    ]


def test_link_text_and_link_targets_are_not_flagged(tmp_path: Path) -> None:
    body = "See the [Kiev Post report](https://example.org/kiev/Kiev-talks) and <https://kiev.example/>."
    assert check((ukraine(tmp_path),), body) == []


def test_code_spans_and_fenced_code_are_never_flagged(tmp_path: Path) -> None:
    body = (
        "Set `city: Kiev` in the file.\n\n"
        "```yaml\ncity: Kiev\n```\n\n"
        '~~~\n"Kiev"\n~~~\n\n'
        "<!-- Kiev -->\n"
    )
    rule = ukraine(tmp_path)
    assert check((rule,), body) == []
    assert check((rule,), body, quotes=True) == []


# --- Site styles --------------------------------------------------------------------------------


def test_a_site_style_replaces_the_builtin_one_of_its_name(tmp_path: Path) -> None:
    site = """\
extends: substitution
message: "Write '%s', not '%s'."
level: error
swap:
  Dnieper: Dnipro River
"""
    (rule,) = styles(tmp_path, {"styles/ukraine.yml": site})
    assert (rule.id, rule.level) == ("style/ukraine", "error")
    assert rule.description == "words the house style swaps for others (styles/ukraine.yml)"
    assert check((rule,), "Kharkov lies far from the Dnieper.") == [
        f"{PATH}:5:27: error style/ukraine: Write 'Dnipro River', not 'Dnieper'."
    ]


def test_site_styles_come_after_the_builtin_one_by_name(tmp_path: Path) -> None:
    rule = "extends: existence\nmessage: Avoid '%s'.\ntokens: [very]\n"
    rules = styles(tmp_path, {"styles/zz.yml": rule, "styles/aa.yml": rule})
    assert [r.id for r in rules] == ["style/aa", "style/ukraine", "style/zz"]


def test_an_existence_rule_flags_each_token_with_its_link(tmp_path: Path) -> None:
    hedges = """\
extends: existence
message: "Attribute '%s' claims to a source."
description: hedging words that hide a source
link: https://example.org/style#attribution
level: suggestion
tokens:
  - reportedly
  - allegedly
  - 'it is (?:said|believed)'
"""
    rule = styles(tmp_path, {"styles/hedges.yml": hedges})[0]
    assert (rule.id, rule.level, rule.description) == (
        "style/hedges",
        "warning",
        "hedging words that hide a source",
    )
    body = "The mayor reportedly resigned; it is said he was allegedly paid. Reportedly?"
    hint = "(https://example.org/style#attribution)"
    assert check((rule,), body) == [
        f"{PATH}:5:11: warning style/hedges: Attribute 'reportedly' claims to a source. {hint}",
        f"{PATH}:5:32: warning style/hedges: Attribute 'it is said' claims to a source. {hint}",
        f"{PATH}:5:50: warning style/hedges: Attribute 'allegedly' claims to a source. {hint}",
    ]


def test_matches_are_words_unless_nonword(tmp_path: Path) -> None:
    words = "extends: existence\nmessage: No '%s'.\ntokens: [war]\n"
    marks = "extends: existence\nmessage: No '%s'.\nnonword: true\ntokens: ['!!+']\n"
    rules = styles(tmp_path, {"styles/words.yml": words, "styles/marks.yml": marks})
    body = "The warlord's war ended!!"
    assert check(rules[:1] + rules[2:], body) == [
        f"{PATH}:5:15: warning style/words: No 'war'.",
        f"{PATH}:5:24: warning style/marks: No '!!'.",
    ]


@pytest.mark.parametrize(
    ("ignorecase", "expected"),
    [
        ("false", ["5:1: warning style/kyiv: Use 'Kyiv' instead of 'Kiev'."]),
        (
            "true",
            [
                "5:1: warning style/kyiv: Use 'Kyiv' instead of 'Kiev'.",
                "5:10: warning style/kyiv: Use 'Kyiv' instead of 'KIEV'.",
                "5:19: warning style/kyiv: Use 'Kyiv' instead of 'kiev'.",
            ],
        ),
    ],
)
def test_ignorecase(tmp_path: Path, ignorecase: str, expected: list[str]) -> None:
    rule = f"extends: substitution\nmessage: Use '%s' instead of '%s'.\nignorecase: {ignorecase}\n"
    rule += "swap: {Kiev: Kyiv}\n"
    rules = styles(tmp_path, {"styles/kyiv.yml": rule})
    assert check(rules[:1], "Kiev and KIEV and kiev.") == [f"{PATH}:{e}" for e in expected]


def test_text_already_as_asked_is_not_flagged(tmp_path: Path) -> None:
    rule = "extends: substitution\nmessage: Use '%s' instead of '%s'.\nignorecase: true\n"
    rule += "swap: {kyiv: Kyiv}\n"
    rules = styles(tmp_path, {"styles/case.yml": rule})
    assert check(rules[:1], "Kyiv, not kyiv.") == [
        f"{PATH}:5:11: warning style/case: Use 'Kyiv' instead of 'kyiv'."
    ]


def test_vale_message_formats(tmp_path: Path) -> None:
    groups = """\
extends: substitution
message: "Write %s for '%s' (100%% sure)."
swap:
  '(\\d+) per ?cent': $1%
  'in order to': to
"""
    choices = """\
extends: substitution
message: "Use '%s' instead of '%s'."
swap:
  utilise: use|employ
"""
    pick = choices + "action:\n  name: replace\n"
    files = {"styles/groups.yml": groups, "styles/choices.yml": choices, "styles/pick.yml": pick}
    rules = [r for r in styles(tmp_path, files) if r.id != "style/ukraine"]
    body = "We utilise 40 per cent in order to win."
    assert check(tuple(rules), body) == [
        f"{PATH}:5:4: warning style/choices: Use 'use|employ' instead of 'utilise'.",
        f"{PATH}:5:4: warning style/pick: Use 'use' or 'employ' instead of 'utilise'.",
        f"{PATH}:5:12: warning style/groups: Write 40% for '40 per cent' (100% sure).",
        f"{PATH}:5:24: warning style/groups: Write to for 'in order to' (100% sure).",
    ]


# --- Bad style files ---------------------------------------------------------------------------

BAD = [
    (
        "extends: capitalization\nmessage: x\n",
        ["styles/x.yml:1: 'extends' must be substitution or existence, got 'capitalization'"],
    ),
    (
        "message: x\nswap: {a: b}\n",
        ["styles/x.yml:1: missing 'extends': substitution or existence"],
    ),
    (
        "extends: substitution\nswap: {a: b}\n",
        ["styles/x.yml:1: missing 'message': Vale's format, such as \"Use '%s' instead of '%s'.\""],
    ),
    (
        "extends: substitution\nmessage: x\n",
        [
            "styles/x.yml:1: missing 'swap': words (or patterns) and their replacements, "
            "as {Kiev: Kyiv}"
        ],
    ),
    (
        "extends: substitution\nmessage: x\nswap: [Kiev, Kyiv]\n",
        ["styles/x.yml:3: 'swap' must map words (or patterns) to replacements, as {Kiev: Kyiv}"],
    ),
    (
        "extends: existence\nmessage: x\n",
        ["styles/x.yml:1: missing 'tokens': a list of words (or patterns) to flag"],
    ),
    (
        "extends: existence\nmessage: x\ntokens: ['  ']\n",
        ["styles/x.yml:3: 'tokens' must be a list of words (or patterns) to flag"],
    ),
    (
        "extends: existence\nmessage: x\nlevel: fatal\ntokens: [a]\n",
        ["styles/x.yml:3: 'level' must be suggestion, warning or error, got 'fatal'"],
    ),
    (
        "extends: substitution\nmessage: x\nswap:\n  ok: fine\n  'Ki(ev': Kyiv\n",
        [
            "styles/x.yml:5: 'Ki(ev' is not a valid regular expression: "
            "missing ), unterminated subpattern at character 3"
        ],
    ),
    (
        "extends: existence\nmessage: x\ntokens:\n  - fine\n  - '[a-'\n",
        [
            "styles/x.yml:5: '[a-' is not a valid regular expression: "
            "unterminated character set at character 1"
        ],
    ),
    (
        "extends: existence\nmessage: x\ntokens: ['a*']\nnonword: true\n",
        ["styles/x.yml:3: 'a*' matches empty text"],
    ),
    (
        "extends: substitution\nmessage: x\nswap:\n  '(\\w+)-based': based in $2\n",
        [
            "styles/x.yml:4: '$2' in the replacement for '(\\w+)-based' "
            "names no group of that pattern"
        ],
    ),
    (
        "extends: existence\nmessage: x\ntoken: [a]\n",
        [
            "styles/x.yml:1: missing 'tokens': a list of words (or patterns) to flag",
            "styles/x.yml:3: unknown key 'token'; did you mean 'tokens'?",
        ],
    ),
    (
        "extends: existence\nmessage: x\ntokens: [a]\nexceptions: [b]\n",
        ["styles/x.yml:4: 'exceptions' is a Vale key Dateline does not read; remove it"],
    ),
    (
        "extends: existence\nmessage: x\ntokens: [a]\nswap: {a: b}\n",
        ["styles/x.yml:4: 'swap' is for substitution rules; existence has 'tokens'"],
    ),
    (
        "extends: substitution\nmessage: x\nswap: {a: b}\ntokens: [a]\n",
        ["styles/x.yml:4: 'tokens' is for existence rules; substitution has 'swap'"],
    ),
    (
        "extends: existence\nmessage: x\ntokens: [a]\nignorecase: maybe\nlink: [x]\n",
        [
            "styles/x.yml:4: 'ignorecase' must be true or false",
            "styles/x.yml:5: 'link' must be text",
        ],
    ),
    (
        "extends: substitution\nmessage: x\nswap:\n  a: [b]\n",
        ["styles/x.yml:4: the replacement for 'a' must be text"],
    ),
    (
        "extends: existence\nmessage: x\ntokens: [a\n",
        [
            "styles/x.yml:3: YAML does not parse: did not find expected ',' or ']' "
            "while parsing a flow sequence"
        ],
    ),
]


@pytest.mark.parametrize(("text", "expected"), BAD)
def test_a_bad_style_file_is_reported_at_its_line(
    tmp_path: Path, text: str, expected: list[str]
) -> None:
    assert problems(tmp_path, {"styles/x.yml": text}) == expected


def test_a_bad_file_leaves_the_other_styles_loaded(tmp_path: Path) -> None:
    for rel, text in {"styles/bad.yml": "extends: nope\nmessage: x\n"}.items():
        (tmp_path / rel).parent.mkdir(parents=True)
        (tmp_path / rel).write_text(text)
    rules, found = load_styles(tmp_path)
    assert [r.id for r in rules] == ["style/ukraine"]
    assert [str(p) for p in found] == [
        "styles/bad.yml:1: 'extends' must be substitution or existence, got 'nope'"
    ]


def test_a_style_name_must_make_a_rule_id(tmp_path: Path) -> None:
    rule = "extends: existence\nmessage: x\ntokens: [a]\n"
    assert problems(tmp_path, {"styles/my style.yml": rule}) == [
        "styles/my style.yml: the file's name is its rule's id, style/<name>: "
        "use letters, digits, - and _"
    ]


def test_a_yaml_extension_is_named_not_ignored(tmp_path: Path) -> None:
    rule = "extends: existence\nmessage: x\ntokens: [a]\n"
    assert problems(tmp_path, {"styles/house.yaml": rule, "styles/notes.md": "x"}) == [
        "styles/house.yaml: style files end in .yml, as Vale's do: rename it house.yml"
    ]


def test_a_symlinked_style_outside_the_site_is_refused(tmp_path: Path) -> None:
    site, outside = tmp_path / "site", tmp_path / "outside.yml"
    outside.write_text("extends: existence\nmessage: x\ntokens: [secret]\n")
    (site / "styles").mkdir(parents=True)
    (site / "styles" / "x.yml").symlink_to(outside)
    rules, found = load_styles(site)
    assert [r.id for r in rules] == ["style/ukraine"]
    assert [str(p) for p in found] == ["styles/x.yml: symlink to outside the site"]


def test_a_symlinked_styles_folder_outside_the_site_is_refused(tmp_path: Path) -> None:
    site, outside = tmp_path / "site", tmp_path / "elsewhere"
    outside.mkdir()
    (outside / "x.yml").write_text("extends: existence\nmessage: x\ntokens: [secret]\n")
    site.mkdir()
    (site / "styles").symlink_to(outside)
    rules, found = load_styles(site)
    assert [r.id for r in rules] == ["style/ukraine"]
    assert [str(p) for p in found] == ["styles: symlink to outside the site"]


def test_a_symlink_to_a_style_inside_the_site_is_read(tmp_path: Path) -> None:
    (tmp_path / "shared").mkdir()
    (tmp_path / "shared" / "house.yml").write_text("extends: existence\nmessage: x\ntokens: [a]\n")
    (tmp_path / "styles").mkdir()
    (tmp_path / "styles" / "house.yml").symlink_to(tmp_path / "shared" / "house.yml")
    assert [r.id for r in styles(tmp_path)] == ["style/house", "style/ukraine"]
