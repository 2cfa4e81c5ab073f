"""Pagefind's bundles merged a month at a time: the same index as Pagefind's own of the year."""

from __future__ import annotations

import gzip
import json
from pathlib import Path
from typing import Any

import pytest

import gen.outputs.pagefind_run
import gen.outputs.search
from gen.model import OutputFile
from gen.outputs.pagefind_format import (
    ENTRY,
    BundleFormatError,
    decode_file,
    encode_file,
    encode_word_table,
    merge_bundles,
    read_word_table,
    word_table,
)
from gen.outputs.pagefind_run import find_pagefind, run_pagefind
from tests.conftest import Noted, article, build, make_site, output_files

SIGNATURE = b"pagefind_dcd"


def read_index(files: dict[str, bytes]) -> dict[str, Any]:
    """What a bundle says, by page URL instead of page number: each language's pages (URL →
    word count), words (word → sorted postings as (URL, positions, metadata positions))
    and filters (name → value → URLs)."""
    entry = json.loads(files[ENTRY])
    found: dict[str, Any] = {}
    for lang, info in entry["languages"].items():
        meta = decode_file(files[f"pagefind.{info['hash']}.pf_meta"])
        urls = []
        for name, _ in meta[1]:
            raw = gzip.decompress(files[f"fragment/{name}.pf_fragment"])
            urls.append(json.loads(raw[len(SIGNATURE) :])["url"])
        assert info["page_count"] == len(urls)
        words: dict[str, list[tuple[str, tuple[int, ...], tuple[int, ...]]]] = {}
        bounds = []
        for first, last, chunk in meta[2]:
            bounds.append((first, last))
            for word, postings, *_ in decode_file(files[f"index/{chunk}.pf_index"])[0]:
                # The search loads the chunk whose bounds hold the word's prefix.
                assert first[: len(word)] <= word and word[: len(last)] <= last
                page = 0
                for posting in postings:
                    page += posting[0]  # each page is the difference from the previous one
                    words.setdefault(word, []).append(
                        (urls[page], tuple(posting[1]), tuple(posting[2]))
                    )
        filters = {
            name: {value: sorted(urls[p] for p in pages) for value, pages in decoded[1]}
            for name, file in meta[3]
            for decoded in [decode_file(files[f"filter/{file}.pf_filter"])]
        }
        found[lang] = {
            "pages": {url: meta[1][i][1] for i, url in enumerate(urls)},
            "words": {word: sorted(postings) for word, postings in words.items()},
            "filters": filters,
            "rest": meta[4:],
        }
    return found


def year_site(tmp_path: Path) -> Path:
    """Stories in three months of 2026, sharing words, by two authors in two sections."""
    files = {
        "content/authors/olena-kovalenko.yaml": "name: Olena Kovalenko\n",
        "content/authors/iryna-bondar.yaml": "name: Iryna Bondar\n",
    }
    for i, (month, title, body) in enumerate(
        [
            ("01", "Talks in Kyiv", "Advisers met in Kyiv. Grain talks resumed in Kyiv."),
            ("01", "Drones over Kharkiv", "Drones hit Kharkiv overnight. Grain stores burned."),
            ("03", "Grain corridor holds", "Ships left Odesa. The grain corridor held again."),
            ("03", "Kyiv blackout", "Power cuts in Kyiv after drones hit the grid."),
            ("07", "Summer in Kharkiv", "Children in Kharkiv went to camps in the Carpathians."),
        ]
    ):
        files[f"content/articles/s{i}.md"] = article(
            title,
            date=f"2026-{month}-{10 + i:02d}T09:30:00+02:00",
            author="olena-kovalenko" if i % 2 else "iryna-bondar",
            section="conflict" if i % 2 else "diplomacy",
            body=f"{body}\n\n## Kyiv and Kharkiv\n\n{body}\n",
        )
    return make_site(tmp_path / "site", files)


def published(out: Path, year: str) -> dict[str, bytes]:
    """One year's bundle as the output holds it."""
    return output_files(out / "pagefind" / year)


def test_a_year_merged_from_months_says_what_pagefinds_own_index_of_it_says(
    tmp_path: Path,
) -> None:
    site = year_site(tmp_path)
    assert build(site).code == 0
    out = site / "output"
    merged = published(out, "2026")
    pages = sorted(out.glob("2026/*/*/*/index.html"))
    assert len(pages) == 5
    whole = run_pagefind(
        find_pagefind(),
        [OutputFile(p.relative_to(out).as_posix(), p.read_bytes()) for p in pages],
        lambda f: f.data,
    )
    assert read_index(merged) == read_index(whole)
    words = read_index(merged)["en"]["words"]
    # A word of two months, and one of every month (in each story's heading).
    assert {url.split("/")[2] for url, _, _ in words["grain"]} == {"01", "03"}
    assert {url.split("/")[2] for url, _, _ in words["kharkiv"]} == {"01", "03", "07"}


def test_editing_a_story_indexes_its_month_again_and_no_other(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    site = year_site(tmp_path)
    assert build(site).code == 0
    runs = Noted(tmp_path / "runs")
    real = gen.outputs.pagefind_run.run_pagefind

    def counting(binary: Path, pages: list[OutputFile], load: Any) -> dict[str, bytes]:
        runs.append(sorted(p.path for p in pages))
        return real(binary, pages, load)

    monkeypatch.setattr(gen.outputs.pagefind_run, "run_pagefind", counting)
    story = site / "content/articles/s2.md"
    story.write_text(
        story.read_text(encoding="utf-8").replace("held again", "held despite reinsurance"),
        encoding="utf-8",
    )
    assert build(site).code == 0
    assert runs.items == [["2026/03/12/s2/index.html", "2026/03/13/s3/index.html"]]
    words = read_index(published(site / "output", "2026"))["en"]["words"]
    assert [url for url, _, _ in words["reinsur"]] == ["/2026/03/12/s2/"]
    # The clean build of the edited site publishes the same bytes.
    clean = tmp_path / "clean"
    assert build(site, "--output", str(clean), "--no-cache").code == 0
    assert published(clean, "2026") == published(site / "output", "2026")


def bundle(lang: str, pages: list[tuple[str, str, dict[str, list[int]]]]) -> dict[str, bytes]:
    """A small Pagefind bundle: pages as (fragment name, URL, word → positions)."""
    files: dict[str, bytes] = {}
    words: dict[str, list[list[Any]]] = {}
    last: dict[str, int] = {}
    for number, (name, url, found) in enumerate(pages):
        data = json.dumps({"url": url, "content": url, "word_count": 3}).encode()
        files[f"fragment/{name}.pf_fragment"] = gzip.compress(SIGNATURE + data, mtime=0)
        for word, positions in found.items():
            words.setdefault(word, []).append([number - last.get(word, 0), positions, []])
            last[word] = number
    chunk = [[[word, words[word], []] for word in sorted(words)]]
    files[f"index/{lang}_chunk.pf_index"] = encode_file(chunk)
    meta = ["1.5.2", [[name, 3] for name, _, _ in pages], [["a", "z", f"{lang}_chunk"]], [], []]
    files[f"pagefind.{lang}_meta.pf_meta"] = encode_file(meta)
    entry = {"version": "1.5.2", "languages": {lang: {"hash": f"{lang}_meta", "wasm": lang}}}
    files[ENTRY] = json.dumps(entry).encode()
    return files


def merged_index(parts: list[dict[str, bytes]]) -> dict[str, Any]:
    files, fragments = merge_bundles(parts)
    files.update({rel: parts[i][there] for rel, (i, there) in fragments.items()})
    return read_index(files)


def test_two_pages_of_two_parts_with_one_fragment_name_keep_both() -> None:
    one = bundle("en", [("en_1234567", "/a/", {"kyiv": [1]}), ("en_7654321", "/b/", {"kyiv": [2]})])
    two = bundle("en", [("en_1234567", "/c/", {"kyiv": [3], "odesa": [4]})])
    found = merged_index([one, two])["en"]
    assert set(found["pages"]) == {"/a/", "/b/", "/c/"}
    assert found["words"]["kyiv"] == [("/a/", (1,), ()), ("/b/", (2,), ()), ("/c/", (3,), ())]
    assert found["words"]["odesa"] == [("/c/", (4,), ())]


def test_parts_merged_with_their_word_tables_make_the_same_bundle() -> None:
    one = bundle(
        "en",
        [("en_1111111", "/a/", {"kyiv": [1], "lviv": [2]}), ("en_2222222", "/b/", {"kyiv": [3]})],
    )
    two = bundle("uk", [("uk_3333333", "/uk/c/", {"київ": [4]})])
    three = bundle("en", [("en_4444444", "/d/", {"odesa": [5], "kyiv": [6, 7]})])
    parts = [one, two, three]
    tables = [read_word_table(encode_word_table(word_table(part))) for part in parts]
    assert all(tables)
    assert merge_bundles(parts, tables) == merge_bundles(parts)
    # A table of another version is not read: the part is read word by word.
    other = json.loads(encode_word_table(word_table(one)))
    other["version"] += 1
    assert read_word_table(json.dumps(other).encode()) is None


def test_a_language_in_one_part_only_is_merged_on_its_own() -> None:
    english = bundle("en", [("en_1111111", "/a/", {"kyiv": [1]})])
    ukrainian = bundle("uk", [("uk_2222222", "/uk/a/", {"київ": [1]})])
    found = merged_index([english, ukrainian])
    assert found["en"]["words"] == {"kyiv": [("/a/", (1,), ())]}
    assert found["uk"]["words"] == {"київ": [("/uk/a/", (1,), ())]}


def test_a_sorted_index_is_not_merged() -> None:
    one = bundle("en", [("en_1111111", "/a/", {"kyiv": [1]})])
    meta = decode_file(one["pagefind.en_meta.pf_meta"])
    meta[4] = [["date", [0]]]
    one["pagefind.en_meta.pf_meta"] = encode_file(meta)
    with pytest.raises(BundleFormatError, match="sorted"):
        merge_bundles([one, bundle("en", [("en_2222222", "/b/", {"kyiv": [1]})])])


def test_a_year_the_merge_refuses_is_indexed_whole(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    site = year_site(tmp_path)
    runs = Noted(tmp_path / "runs")
    real = gen.outputs.pagefind_run.run_pagefind

    def counting(binary: Path, pages: list[OutputFile], load: Any) -> dict[str, bytes]:
        runs.append(len(pages))
        return real(binary, pages, load)

    def refuse(parts: list[dict[str, bytes]], *args: object, **kwargs: object) -> Any:
        raise BundleFormatError("the index is sorted (data-pagefind-sort): not merged")

    monkeypatch.setattr(gen.outputs.pagefind_run, "run_pagefind", counting)
    monkeypatch.setattr(gen.outputs.search, "merge_bundles", refuse)
    assert build(site).code == 0
    assert runs.items == [2, 2, 1, 5]  # each month, then the year whole
    out = site / "output"
    words = read_index(published(out, "2026"))["en"]["words"]
    assert len({url for url, _, _ in words["kharkiv"]}) == 5


def test_a_part_missing_a_file_it_names_is_refused() -> None:
    one = bundle("en", [("en_1111111", "/a/", {"kyiv": [1]})])
    del one["index/en_chunk.pf_index"]
    with pytest.raises(BundleFormatError, match="cannot be merged"):
        merge_bundles([one])


def test_a_year_the_output_lost_comes_back_from_the_cache_without_pagefind(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    site = year_site(tmp_path)
    assert build(site).code == 0
    out = site / "output"
    before = published(out, "2026")
    lost = sorted((out / "pagefind/2026/fragment").iterdir())
    for file in (lost[0], *sorted((out / "pagefind/2026/index").iterdir())):
        file.unlink()

    def fail(*args: object) -> dict[str, bytes]:
        raise AssertionError("Pagefind ran")

    monkeypatch.setattr(gen.outputs.pagefind_run, "run_pagefind", fail)
    assert build(site).code == 0
    assert published(out, "2026") == before
