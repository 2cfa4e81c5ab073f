#!/usr/bin/env python3
"""Write a deterministic, realistic news site for benchmarks, for Dateline, Hugo or Pelican.

    python bench/make_corpus.py --n 10000 --out /tmp/corpus               # Dateline
    python bench/make_corpus.py --n 10000 --out /tmp/corpus-hugo --format hugo
    python bench/make_corpus.py --n 10000 --out /tmp/corpora --format all  # 4 subfolders

The same seed gives the same bytes on every machine and every day: all randomness comes from
one seeded `random.Random`, no clock is read and nothing is iterated in hash order. Every
format carries the same articles (titles, dates, sections, authors, tags, summaries, bodies,
URLs and lead image), so the three generators build comparable sites:

- 8 sections, ~20 authors with a name, role and bio, ~200 tags (2-5 per article, a few far
  more popular than the rest, as in a real newsroom);
- ~700-word articles with subheadings, paragraphs, a blockquote, a list, links to earlier
  articles and to outside sources, emphasis and, now and then, a table;
- dates spread over the four years before 2026-11-27 in Europe/Kyiv time (+02:00 in winter,
  +03:00 in summer);
- one shared lead image (1200x675 JPEG made with Pillow) with alt text and a credit.

Hugo and Pelican corpora get the site configuration and templates from `bench/peers/`: `hugo`
is the feature-matched Hugo site, `hugo-lean` a plain one on the same content (with `all`,
its content files are hard links to `hugo`'s). Articles are written as they are made, so
memory stays flat: 100,000 articles with `--format all` took 70 s, 120 MB of memory and
2.4 GB of disk on the 2-core machine of docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import random
import re
import shutil
import sys
import time
from collections import deque
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

BENCH_DIR = Path(__file__).resolve().parent
PEERS_DIR = BENCH_DIR / "peers"
FORMATS = ("dateline", "hugo", "hugo-lean", "pelican")  # hugo before hugo-lean: it links
TZ = ZoneInfo("Europe/Kyiv")
# The corpus covers the four years before this moment; run.py builds with this clock.
END = datetime(2026, 11, 27, 0, 0, tzinfo=TZ)
START = datetime(2022, 11, 27, 0, 0, tzinfo=TZ)
IMAGE_SRC = "images/lead.jpg"
LOGO_SRC = "images/logo.png"
SITE_TITLE = "The Meridian Ledger"
SITE_DESCRIPTION = "Reporting on the war in Ukraine, its politics, its economy and its people."
BASE_URL = "https://example.org/"

SECTIONS: dict[str, tuple[str, str]] = {
    "conflict": ("Conflict", "The fighting, the front lines and the strikes on cities."),
    "diplomacy": ("Diplomacy", "Talks, alliances, sanctions and security guarantees."),
    "humanitarian": ("Humanitarian", "Civilians, evacuations, aid and the displaced."),
    "economy": ("Economy", "Budgets, trade, grain exports and the cost of reconstruction."),
    "energy": ("Energy", "The power grid, heating, gas and nuclear safety."),
    "europe": ("Europe", "The war as seen from the rest of the continent."),
    "culture": ("Culture", "Books, film, music and heritage in wartime."),
    "analysis": ("Analysis", "Context and explanation from our correspondents."),
}
# How often each section publishes, relative to the others.
SECTION_WEIGHTS = (30, 18, 14, 14, 10, 8, 6, 8)

FIRST_NAMES = (
    "Olena", "David", "Iryna", "James", "Marta", "Taras", "Sofia", "Andriy", "Natalia",
    "Michael", "Oksana", "Pierre", "Yulia", "Tomasz", "Hanna", "Samuel", "Kateryna",
    "Dmytro", "Ingrid", "Viktor", "Lena", "Roman",
)  # fmt: skip
LAST_NAMES = (
    "Kovalenko", "Okafor", "Bondar", "Whitfield", "Hrytsenko", "Melnyk", "Shevchuk",
    "Lindqvist", "Tkachenko", "Moreau", "Nowak", "Petrenko", "Hartmann", "Savchenko",
    "Brennan", "Kravets", "Ferreira", "Lysenko", "Novak", "Ostapenko", "Rudenko", "Walsh",
)  # fmt: skip
ROLES = (
    "Kyiv correspondent", "Diplomatic correspondent", "Economics editor", "Energy reporter",
    "Front-line reporter", "Humanitarian affairs reporter", "Europe editor", "Culture writer",
    "Data reporter", "Senior editor", "Investigations reporter", "Photo editor",
)  # fmt: skip
BEATS = (
    "the war's front lines", "diplomacy and sanctions", "the wartime economy",
    "the power grid and energy security", "displacement and aid", "European politics",
    "culture and heritage", "data and open-source investigation",
)  # fmt: skip

PLACES = (
    "Kyiv", "Kharkiv", "Odesa", "Dnipro", "Lviv", "Zaporizhzhia", "Kherson", "Mykolaiv",
    "Sumy", "Chernihiv", "Poltava", "Vinnytsia", "Kramatorsk", "Pokrovsk", "Izmail",
    "Uzhhorod", "Brussels", "Warsaw", "Berlin", "Paris", "London", "Washington", "Geneva",
    "Vienna", "Bucharest", "Chisinau", "Vilnius", "Riga", "Tallinn", "Helsinki", "Ankara",
    "Rome", "Prague",
)  # fmt: skip
COUNTRIES = {
    "Brussels": "Belgium", "Warsaw": "Poland", "Berlin": "Germany", "Paris": "France",
    "London": "United Kingdom", "Washington": "United States", "Geneva": "Switzerland",
    "Vienna": "Austria", "Bucharest": "Romania", "Chisinau": "Moldova", "Vilnius": "Lithuania",
    "Riga": "Latvia", "Tallinn": "Estonia", "Helsinki": "Finland", "Ankara": "Turkey",
    "Rome": "Italy", "Prague": "Czech Republic",
}  # fmt: skip
ACTORS = (
    "Officials", "Lawmakers", "Aid groups", "Engineers", "Farmers", "Ministers", "Allies",
    "Regulators", "Volunteers", "Prosecutors", "Investors", "Mayors", "Deminers", "Teachers",
    "Doctors", "Rail workers", "Exporters", "Negotiators", "Residents", "Grid operators",
)  # fmt: skip
VERBS = (
    "weigh", "approve", "reject", "expand", "delay", "review", "restore", "fund", "defend",
    "question", "debate", "announce", "plan", "extend", "tighten", "ease", "rebuild", "track",
    "seek", "back", "map", "count the cost of",
)  # fmt: skip
OBJECTS = (
    "new air-defence funding", "a grain corridor deal", "winter heating plans",
    "repairs to the power grid", "sanctions on shadow-fleet tankers", "a prisoner exchange",
    "evacuation routes", "the 2027 budget", "war-risk insurance", "frozen Russian assets",
    "mine clearance on farmland", "school shelters", "rail links to the west",
    "gas storage targets", "a reconstruction fund", "drone production", "port security",
    "energy imports", "housing for the displaced", "front-line hospitals",
    "a ceasefire monitoring plan", "interest rates", "steel exports", "water supplies",
    "the nuclear plant's backup lines", "accession talks", "a new tax on banks",
    "museum collections", "transit tariffs", "veterans' pensions", "cyber defences",
    "bridge repairs", "fuel reserves", "the harvest forecast", "border crossings",
    "pay for soldiers", "generator imports", "battery storage", "a trade agreement",
    "heritage sites",
)  # fmt: skip
NOUNS = (
    "agreement", "budget", "convoy", "corridor", "deadline", "delegation", "decree",
    "forecast", "grid", "harvest", "inquiry", "loan", "package", "pipeline", "programme",
    "proposal", "report", "reserve", "schedule", "shipment", "strike", "substation",
    "summit", "survey", "tender", "timetable", "treaty", "warehouse",
)  # fmt: skip
ADJECTIVES = (
    "new", "revised", "long-delayed", "emergency", "temporary", "joint", "regional",
    "national", "second", "latest", "cautious", "ambitious", "modest", "disputed", "expanded",
)  # fmt: skip
ORGS = (
    "the Ministry of Energy", "the National Bank", "the European Commission",
    "the World Food Programme", "the regional military administration", "Ukrenergo",
    "the International Atomic Energy Agency", "the Ministry of Defence", "the city council",
    "the Red Cross", "the State Emergency Service", "the finance ministry", "Naftogaz",
    "the parliament's budget committee", "the UN refugee agency", "Ukrainian Railways",
)  # fmt: skip
TIMES = (
    "by the end of the month", "before the winter", "within weeks", "this spring",
    "by the autumn", "next year", "over the weekend", "in the coming days", "in March",
    "before the summit", "after the holidays", "by the end of the year",
)  # fmt: skip
PEOPLE_ROLES = (
    "a senior official", "the deputy minister", "the regional governor", "an aid worker",
    "an engineer at the plant", "a local councillor", "a European diplomat", "the mayor",
    "a grain trader", "a military analyst", "a school director", "a volunteer driver",
)  # fmt: skip
MONTHS = (
    "January", "February", "March", "April", "May", "June", "July", "August", "September",
    "October", "November", "December",
)  # fmt: skip
SENTENCES = (
    "{actor} in {place} said on {weekday} that {org} would {verb} {object} {time}.",
    "The {adj} {noun} follows months of pressure from {org}, which has warned that "
    "delays would leave {place} exposed.",
    "According to {org}, about {number} people in the region were affected, "
    "{small} of them children.",
    "{person_cap} said the decision reflected the situation on the ground rather than "
    "any change in policy.",
    "The figures could not be independently verified, but they match earlier estimates "
    "published by {org}.",
    "In {place}, {actor_lc} have begun to {verb} {object}, a process that could take "
    "{small} months.",
    "Critics say the {noun} does too little, too late, and that {object} should have "
    "come first.",
    "The {noun} is expected to cost around {number} million euros, most of it covered by "
    "foreign partners.",
    "Talks on {object} resumed in {place} {time}, with both sides describing them as "
    "difficult but useful.",
    "{person_cap} told reporters that the priority was to keep {object} on schedule.",
    "It is the {ordinal} such {noun} this year, and the largest since {month}.",
    "Residents of {place} described long queues, cold flats and evenings spent waiting "
    "for the power to return.",
    "The plan also includes money for {object} and for the repair of {small} damaged "
    "buildings.",
    "{org_cap} did not respond to a request for comment.",
    "Analysts expect {object} to dominate the agenda when ministers meet in {place} "
    "{time}.",
    "Last {month}, a similar {noun} was suspended after {small} weeks because of air raids.",
    "The {adj} rules take effect on {month} {day} and apply to every region except those "
    "near the front line.",
    "Since the start of the full-scale invasion, {org} says it has spent more than "
    "{number} million euros on {object}.",
    "Most of the work is done at night, when the risk of drone attacks is lower, "
    "{person} said.",
    "The decision was welcomed in {place2}, where officials had asked for {object} "
    "for more than a year.",
    "Data from {org} show a steady rise in demand since {month}, with a sharp jump after "
    "the latest strikes.",
    "For many families, the {noun} came too late: {small} households had already left "
    "the area.",
)  # fmt: skip
QUOTES = (
    "We are doing what we can with what we have, and what we have is never enough.",
    "Every week without a decision is a week in which people here pay the price.",
    "Nobody expected this to be easy. But nobody expected it to take this long either.",
    "The question is no longer whether to act, but how fast we can do it.",
    "We rebuild, they strike again, and we rebuild again. That is the job now.",
    "This is not charity. It is an investment in the security of the whole continent.",
    "People want to stay in their homes. Our task is to make that possible.",
    "If the lights stay on this winter, it will be because thousands of people worked "
    "through the night.",
)  # fmt: skip
SUBHEADINGS = (
    "What changes", "The cost", "Why it matters", "On the ground", "What comes next",
    "A long winter", "The numbers", "Reaction", "Background", "The view from {place}",
    "Questions remain", "Who pays", "The politics", "Lessons from last year",
)  # fmt: skip
LIST_ITEMS = (
    "**{object_cap}**: a decision is due {time};",
    "**Funding**: about {number} million euros, mostly from partners;",
    "**Timing**: work in {place} starts {time};",
    "**Oversight**: {org} will publish monthly reports;",
    "**Risks**: air raids, shortages of parts and a lack of trained staff;",
    "**Who benefits**: around {number} households in {small} districts;",
    "**Next step**: a review of {object} in {month};",
)  # fmt: skip
LINK_TEXTS = (
    "as we reported earlier", "an earlier decision", "last time", "our previous report",
    "a similar plan", "the first round of talks",
)  # fmt: skip
EXTERNAL_LINKS = (
    ("the ministry's statement", "https://example.gov.ua/news/statement"),
    ("the full report", "https://example.int/reports/latest"),
    ("official data", "https://example.gov.ua/data/open"),
    ("the agency's update", "https://example.int/updates"),
    ("the draft law", "https://example.rada.gov.ua/bills/draft"),
)  # fmt: skip
TAG_TOPICS = (
    "air-defence", "drones", "sanctions", "grain", "exports", "energy", "power-grid",
    "heating", "gas", "nuclear-safety", "evacuations", "aid", "refugees", "reconstruction",
    "budget", "banking", "inflation", "insurance", "railways", "ports", "black-sea",
    "demining", "education", "health", "housing", "veterans", "prisoners", "war-crimes",
    "justice", "corruption", "elections", "parliament", "nato", "european-union",
    "accession", "security-guarantees", "ceasefire", "diplomacy", "weapons", "artillery",
    "cyber", "shadow-fleet", "oil", "steel", "agriculture", "farmland", "water", "culture",
    "heritage", "museums", "film", "books", "music", "language", "religion", "sport",
    "children", "pensions", "labour", "mobilisation", "conscription", "frontline",
    "occupation", "deportations", "human-rights", "media", "disinformation", "technology",
    "startups", "investment", "trade", "transit", "logistics", "borders", "poland",
    "romania", "moldova", "germany", "france", "united-states", "united-kingdom", "turkey",
    "baltics", "hungary", "slovakia", "climate", "environment", "dams", "floods", "winter",
    "blackouts", "generators", "solar", "batteries", "hydropower", "coal", "fuel",
    "defence-industry", "production", "recruitment", "training", "medicine", "hospitals",
    "mental-health", "volunteers", "charity", "donors", "imf", "world-bank", "debt", "bonds",
    "currency", "taxes", "customs", "smuggling", "police", "courts", "prosecutors",
    "local-government", "decentralisation", "cities", "villages", "transport", "roads",
    "bridges", "aviation", "shipping", "insurance-markets", "commodities", "fertiliser",
    "food-security", "africa", "middle-east", "china", "india", "united-nations", "osce",
    "iaea", "red-cross", "un-refugee-agency", "unicef", "who", "g7", "g20", "summits",
    "negotiations", "peace-talks", "guarantees", "monitoring", "intelligence", "satellites",
    "open-source", "investigations", "data", "polls", "public-opinion", "protests",
    "civil-society", "ngos", "women", "lgbt-rights", "minorities", "crimean-tatars",
    "crimea", "donbas", "kherson-region", "zaporizhzhia-region", "kharkiv-region",
    "odesa-region", "kyiv-region", "dnipro-region", "sumy-region", "chernihiv-region",
    "mykolaiv-region", "lviv-region", "western-ukraine", "eastern-front", "southern-front",
    "northern-border", "belarus", "russia", "kremlin", "russian-economy", "oil-price-cap",
    "frozen-assets", "reparations", "kupiansk", "bakhmut", "avdiivka", "kramatorsk",
    "chasiv-yar", "pokrovsk", "izmail", "danube", "grain-corridor", "air-raids", "shelters",
    "schools", "universities", "science",
)  # fmt: skip
TABLE_ROWS = (
    "Kyiv", "Kharkiv", "Odesa", "Dnipro", "Lviv", "Zaporizhzhia", "Mykolaiv", "Sumy",
)  # fmt: skip
IMAGE_DETAILS = (
    "with cranes over a half-repaired block", "with a queue at a bus stop",
    "with power lines in the foreground", "with a river under low cloud",
    "with lit windows in a dark skyline", "with a railway station square",
)  # fmt: skip
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
ORDINALS = ("second", "third", "fourth", "fifth", "sixth")
TARGET_WORDS = (640, 760)  # each article's body length is drawn from this range
_WORD_RE = re.compile(r"[^\s]+")


@dataclass(frozen=True, slots=True)
class Author:
    id: str
    name: str
    role: str
    bio: str


@dataclass(frozen=True, slots=True)
class Story:
    slug: str
    title: str
    date: datetime  # aware, Europe/Kyiv
    section: str
    authors: tuple[str, ...]
    tags: tuple[str, ...]
    summary: str
    dateline: str
    image_alt: str
    image_credit: str
    body: str

    @property
    def url(self) -> str:
        """The article's path, the same in all three generators."""
        return f"/{self.date:%Y/%m/%d}/{self.slug}/"

    @property
    def source_name(self) -> str:
        """Where the article lives under content/articles/ (Dateline) or content/ (Pelican)."""
        return f"{self.date:%Y}/{self.slug}.md"


@dataclass(frozen=True, slots=True)
class Corpus:
    authors: tuple[Author, ...]
    tags: tuple[str, ...]
    stories: tuple[Story, ...]
    words: int = 0  # the bodies' words, counted when generate() wrote them


def slug_of(text: str) -> str:
    """Lowercase ASCII words joined by hyphens (the text here is ASCII by construction)."""
    return "-".join(re.findall(r"[a-z0-9]+", text.lower().replace("'", "")))


def upper_first(text: str) -> str:
    return text[:1].upper() + text[1:]


class Writer:
    """Generates text from the word lists with one seeded random source."""

    def __init__(self, rng: random.Random) -> None:
        self.rng = rng

    def pick(self, items: tuple[str, ...]) -> str:
        return items[self.rng.randrange(len(items))]

    def fill(self, template: str, place: str) -> str:
        """A template with its slots filled; `place` is the story's dateline city."""
        rng = self.rng
        pick = self.pick
        fields = {
            "actor": pick(ACTORS),
            "actor_lc": pick(ACTORS).lower(),
            "place": place if rng.random() < 0.6 else pick(PLACES),
            "place2": pick(PLACES),
            "org": pick(ORGS),
            "org_cap": upper_first(pick(ORGS)),
            "verb": pick(VERBS),
            "object": pick(OBJECTS),
            "object_cap": upper_first(pick(OBJECTS)),
            "time": pick(TIMES),
            "adj": pick(ADJECTIVES),
            "noun": pick(NOUNS),
            "number": str(rng.randrange(12, 950)),
            "small": str(rng.randrange(2, 12)),
            "person": pick(PEOPLE_ROLES),
            "person_cap": upper_first(pick(PEOPLE_ROLES)),
            "weekday": pick(WEEKDAYS),
            "month": pick(MONTHS),
            "day": str(rng.randrange(1, 29)),
            "ordinal": pick(ORDINALS),
        }
        return template.format_map(fields)

    def sentence(self, place: str) -> str:
        return self.fill(self.pick(SENTENCES), place)

    def paragraph(self, place: str, count: int) -> str:
        return " ".join(self.sentence(place) for _ in range(count))

    def title(self, place: str) -> str:
        rng = self.rng
        kind = rng.randrange(6)
        if kind == 0:
            return f"What to know about {self.pick(OBJECTS)} in {place}"
        if kind == 1:
            return f"Inside the fight over {self.pick(OBJECTS)}"
        text = f"{self.pick(ACTORS)} {self.pick(VERBS)} {self.pick(OBJECTS)}"
        return f"{text} in {place}" if kind < 4 else text

    def body(self, place: str, earlier: Sequence[Story]) -> str:
        """A ~700-word article body in Markdown."""
        rng = self.rng
        target = rng.randrange(*TARGET_WORDS)
        blocks = [self.paragraph(place, 2), self.paragraph(place, 3)]
        headings = rng.sample(range(len(SUBHEADINGS)), 4)
        blocks.append("## " + SUBHEADINGS[headings[0]].format(place=place))
        blocks.append(self.paragraph(place, 3))
        items = rng.sample(LIST_ITEMS, rng.randrange(3, 6))
        blocks.append("\n".join("- " + self.fill(item, place) for item in items))
        linked = self.paragraph(place, 3)
        if earlier:
            other = earlier[rng.randrange(len(earlier))]
            linked += f" The move follows [{self.pick(LINK_TEXTS)}]({other.url}) on the subject."
        blocks.append(linked)
        blocks.append("## " + SUBHEADINGS[headings[1]].format(place=place))
        quote = self.pick(QUOTES).removesuffix(".")
        blocks.append(f'> "{quote}," {self.pick(PEOPLE_ROLES)} said.')
        blocks.append(self.paragraph(place, 2) + " *That estimate may change.*")
        text, url = EXTERNAL_LINKS[rng.randrange(len(EXTERNAL_LINKS))]
        blocks.append(self.paragraph(place, 3) + f" The details are in [{text}]({url}).")
        if rng.random() < 0.125:
            blocks.append(self.table())
        blocks.append("## " + SUBHEADINGS[headings[2]].format(place=place))
        words = sum(len(_WORD_RE.findall(b)) for b in blocks)
        while words < target:
            paragraph = self.paragraph(place, rng.randrange(2, 4))
            blocks.append(paragraph)
            words += len(_WORD_RE.findall(paragraph))
        if rng.random() < 0.2:
            blocks.append(f"*Updated with a statement from {self.pick(ORGS)}.*")
        return "\n\n".join(blocks) + "\n"

    def table(self) -> str:
        rows = self.rng.sample(TABLE_ROWS, 4)
        lines = ["| City | Hours without power | Change on last month |", "| --- | ---: | ---: |"]
        for city in rows:
            hours = self.rng.randrange(4, 160)
            change = self.rng.randrange(-40, 41)
            lines.append(f"| {city} | {hours} | {change:+d}% |")
        return "\n".join(lines)


def make_authors(rng: random.Random, count: int = 20) -> tuple[Author, ...]:
    firsts = rng.sample(FIRST_NAMES, count)
    lasts = rng.sample(LAST_NAMES, count)
    authors = []
    for first, last in zip(firsts, lasts, strict=True):
        role = ROLES[rng.randrange(len(ROLES))]
        beat = BEATS[rng.randrange(len(BEATS))]
        city = PLACES[rng.randrange(16)]
        years = rng.randrange(3, 25)
        bio = (
            f"{first} {last} covers {beat} from {city}. Before joining the newsroom "
            f"{years} years ago, {first} worked for regional papers and a news agency."
        )
        authors.append(Author(slug_of(f"{first} {last}"), f"{first} {last}", role, bio))
    return tuple(authors)


def make_dates(rng: random.Random, n: int) -> list[datetime]:
    """n publication times over the four years, in order, between 06:00 and 22:59 local."""
    days = (END.date() - START.date()).days
    dates = []
    for _ in range(n):
        day = START.date() + timedelta(days=rng.randrange(days))
        local = datetime(day.year, day.month, day.day, rng.randrange(6, 23), rng.randrange(60))
        dates.append(local.replace(tzinfo=TZ))
    dates.sort()
    return dates


class StoryStream:
    """The corpus's authors and tags at once, its stories one at a time, oldest first.

    Iterating it twice gives the same stories; only the 500 newest are held (the earlier
    articles a body may link to), so 100,000 stories take no more memory than 1,000.
    """

    def __init__(self, n: int, seed: int = 2026) -> None:
        self.n, self.seed = n, seed
        self.authors = make_authors(random.Random(seed))
        self.tags = TAG_TOPICS[:200]

    def __iter__(self) -> Iterator[Story]:
        rng = random.Random(self.seed)
        writer = Writer(rng)
        authors = make_authors(rng)  # the same authors; keeps the draws in the same order
        tags = self.tags
        # A few tags are far more common than the rest (Zipf-like).
        tag_weights = [1.0 / (rank + 1) ** 0.8 for rank in range(len(tags))]
        author_weights = [1.0 / (rank + 1) ** 0.5 for rank in range(len(authors))]
        section_ids = list(SECTIONS)
        recent: deque[Story] = deque(maxlen=500)
        slugs: dict[str, int] = {}
        for date in make_dates(rng, self.n):
            place = writer.pick(PLACES)
            title = writer.title(place)
            base = slug_of(title)
            count = slugs.get(base, 0) + 1
            slugs[base] = count
            slug = base if count == 1 else f"{base}-{count}"
            section = rng.choices(section_ids, SECTION_WEIGHTS)[0]
            story_tags: list[str] = []
            wanted = rng.randrange(2, 6)
            while len(story_tags) < wanted:
                tag = rng.choices(tags, tag_weights)[0]
                if tag not in story_tags:
                    story_tags.append(tag)
            byline = [rng.choices(authors, author_weights)[0].id]
            if rng.random() < 0.15:
                second = authors[rng.randrange(len(authors))].id
                if second != byline[0]:
                    byline.append(second)
            country = COUNTRIES.get(place, "Ukraine")
            story = Story(
                slug=slug,
                title=upper_first(title),
                date=date,
                section=section,
                authors=tuple(byline),
                tags=tuple(story_tags),
                summary=writer.sentence(place),
                dateline=f"{place}, {country}",
                image_alt=f"A wide view of {place} at dusk, {writer.pick(IMAGE_DETAILS)}",
                image_credit="Illustration by the picture desk",
                body=writer.body(place, recent),
            )
            recent.append(story)
            yield story


def make_corpus(n: int, seed: int = 2026) -> Corpus:
    """The whole corpus in memory; the same (n, seed) always gives the same corpus."""
    stream = StoryStream(n, seed)
    return Corpus(stream.authors, stream.tags, tuple(stream))


def extra_story(corpus: Corpus, slug: str, date: datetime, seed: int) -> Story:
    """One more article, newer than the corpus (run.py's "add one article" step)."""
    rng = random.Random(seed)
    writer = Writer(rng)
    base = corpus.stories[-1]
    return Story(
        slug=slug,
        title="Latest: " + writer.title("Kyiv"),
        date=date,
        section=base.section,
        authors=base.authors[:1],
        tags=base.tags[:3],
        summary=writer.sentence("Kyiv"),
        dateline="Kyiv, Ukraine",
        image_alt="A wide view of Kyiv at dusk",
        image_credit="Illustration by the picture desk",
        body=writer.body("Kyiv", corpus.stories[-50:]),
    )


# --- Formats ---------------------------------------------------------------------------------


def q(text: str) -> str:
    """A YAML double-quoted scalar (JSON strings are valid YAML)."""
    return json.dumps(text, ensure_ascii=False)


def ylist(items: tuple[str, ...]) -> str:
    return "[" + ", ".join(items) + "]"


def dateline_markdown(story: Story) -> str:
    author = story.authors[0] if len(story.authors) == 1 else ylist(story.authors)
    return (
        "---\n"
        f"title: {q(story.title)}\n"
        f"author: {author}\n"
        f"date: {story.date.isoformat()}\n"
        f"section: {story.section}\n" + yaml_rest(story)
    )


def yaml_rest(story: Story) -> str:
    """The front matter both YAML formats (Dateline's, Hugo's) end with, then the body."""
    return (
        f"tags: {ylist(story.tags)}\n"
        f"dateline: {q(story.dateline)}\n"
        f"summary: {q(story.summary)}\n"
        "image:\n"
        f"  src: {IMAGE_SRC}\n"
        f"  alt: {q(story.image_alt)}\n"
        f"  credit: {q(story.image_credit)}\n"
        "---\n\n" + story.body
    )


def hugo_markdown(story: Story) -> str:
    return (
        "---\n"
        f"title: {q(story.title)}\n"
        f"date: {story.date.isoformat()}\n"
        f"slug: {story.slug}\n"
        f"authors: {ylist(story.authors)}\n" + yaml_rest(story)
    )


def pelican_markdown(story: Story, names: dict[str, str]) -> str:
    return (
        f"Title: {story.title}\n"
        f"Date: {story.date.isoformat()}\n"
        f"Slug: {story.slug}\n"
        f"Category: {SECTIONS[story.section][0]}\n"
        f"Authors: {', '.join(names[a] for a in story.authors)}\n"
        f"Tags: {', '.join(story.tags)}\n"
        f"Dateline: {story.dateline}\n"
        f"Summary: {story.summary}\n"
        f"Image: {IMAGE_SRC}\n"
        f"Image_alt: {story.image_alt}\n"
        f"Image_credit: {story.image_credit}\n\n" + story.body
    )


def lead_jpeg() -> bytes:
    """One shared 1200x675 lead image: a soft gradient with a few shapes, ~20 KB."""
    from PIL import Image, ImageDraw, ImageFilter

    rng = random.Random(675)
    small = Image.new("RGB", (16, 9))
    small.putdata(
        [
            (rng.randrange(40, 90), rng.randrange(70, 130), rng.randrange(120, 200))
            for _ in range(144)
        ]
    )
    image = small.resize((1200, 675), Image.Resampling.BICUBIC)
    draw = ImageDraw.Draw(image)
    for _ in range(14):  # a skyline
        x = rng.randrange(0, 1150)
        width, height = rng.randrange(40, 120), rng.randrange(120, 380)
        shade = rng.randrange(20, 60)
        draw.rectangle((x, 675 - height, x + width, 675), fill=(shade, shade, shade + 15))
    draw.ellipse((880, 90, 980, 190), fill=(250, 210, 140))
    image = image.filter(ImageFilter.GaussianBlur(1.5))
    out = io.BytesIO()
    image.save(out, "JPEG", quality=78, optimize=True)
    return out.getvalue()


def logo_png() -> bytes:
    from PIL import Image, ImageDraw

    image = Image.new("RGB", (240, 60), (20, 40, 90))
    ImageDraw.Draw(image).rectangle((10, 10, 50, 50), fill=(250, 210, 60))
    out = io.BytesIO()
    image.save(out, "PNG", optimize=True)
    return out.getvalue()


def write(path: Path, text: str | bytes) -> None:
    if path.parent not in _MADE:
        path.parent.mkdir(parents=True, exist_ok=True)
        _MADE.add(path.parent)
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")


_MADE: set[Path] = set()  # folders write() has made (one mkdir per folder, not per file)


def link(source: Path, target: Path) -> None:
    """`target` as a hard link to `source` (a copy across file systems)."""
    if target.parent not in _MADE:
        target.parent.mkdir(parents=True, exist_ok=True)
        _MADE.add(target.parent)
    try:
        os.link(source, target)
    except OSError:
        shutil.copy2(source, target)


def site_yaml() -> str:
    lines = [
        "# A benchmark corpus written by bench/make_corpus.py.",
        f"title: {SITE_TITLE}",
        f"base_url: {BASE_URL}",
        "language: en",
        "timezone: Europe/Kyiv",
        f"description: {q(SITE_DESCRIPTION)}",
        "publisher:",
        f"  name: {SITE_TITLE}",
        f"  logo: {LOGO_SRC}",
        "sections:",
    ]
    for section_id, (title, description) in SECTIONS.items():
        lines += [f"  {section_id}:", f"    title: {title}", f"    description: {q(description)}"]
    lines += ["permalink: /{year}/{month}/{day}/{slug}/", "per_page: 10", ""]
    return "\n".join(lines)


class SiteWriter:
    """Writes one generator's site: its fixed files first, then one article at a time."""

    def __init__(self, out: Path, authors: tuple[Author, ...], image: bytes, logo: bytes) -> None:
        self.out = out

    def story(self, story: Story) -> None:
        raise NotImplementedError


class DatelineWriter(SiteWriter):
    def __init__(self, out: Path, authors: tuple[Author, ...], image: bytes, logo: bytes) -> None:
        super().__init__(out, authors, image, logo)
        write(out / "site.yaml", site_yaml())
        for author in authors:
            doc = f"name: {author.name}\nrole: {author.role}\nbio: {q(author.bio)}\n"
            write(out / "content" / "authors" / f"{author.id}.yaml", doc)
        write(out / "content" / IMAGE_SRC, image)
        write(out / "content" / LOGO_SRC, logo)

    def story(self, story: Story) -> None:
        write(self.out / "content" / "articles" / story.source_name, dateline_markdown(story))


def hugo_section_indexes(content: Path) -> None:
    for section_id, (title, description) in SECTIONS.items():
        index = f"---\ntitle: {title}\ndescription: {q(description)}\n---\n"
        write(content / section_id / "_index.md", index)


class HugoWriter(SiteWriter):
    """The feature-matched Hugo site (bench/peers/hugo/)."""

    def __init__(self, out: Path, authors: tuple[Author, ...], image: bytes, logo: bytes) -> None:
        super().__init__(out, authors, image, logo)
        peer = PEERS_DIR / "hugo"
        shutil.copy2(peer / "hugo.yaml", out / "hugo.yaml")
        shutil.copytree(peer / "layouts", out / "layouts", dirs_exist_ok=True)
        shutil.copytree(peer / "static", out / "static", dirs_exist_ok=True)
        for author in authors:
            doc = f"name: {author.name}\nrole: {author.role}\nbio: {q(author.bio)}\n"
            write(out / "data" / "authors" / f"{author.id}.yaml", doc)
        write(out / "assets" / IMAGE_SRC, image)
        write(out / "static" / LOGO_SRC, logo)
        hugo_section_indexes(out / "content")

    def story(self, story: Story) -> None:
        path = self.out / "content" / story.section / story.source_name
        write(path, hugo_markdown(story))


class HugoLeanWriter(SiteWriter):
    """The lean Hugo site (bench/peers/hugo-lean/): the same content files as HugoWriter's,
    hard-linked from `shared` (a HugoWriter's folder) when there is one."""

    def __init__(
        self,
        out: Path,
        authors: tuple[Author, ...],
        image: bytes,
        logo: bytes,
        shared: Path | None = None,
    ) -> None:
        super().__init__(out, authors, image, logo)
        self.shared = shared
        peer = PEERS_DIR / "hugo-lean"
        shutil.copy2(peer / "hugo.yaml", out / "hugo.yaml")
        shutil.copytree(peer / "layouts", out / "layouts", dirs_exist_ok=True)
        if self.shared is None:
            hugo_section_indexes(out / "content")
        else:
            for section_id in SECTIONS:
                index = Path(section_id) / "_index.md"
                link(self.shared / "content" / index, out / "content" / index)

    def story(self, story: Story) -> None:
        name = Path(story.section) / story.source_name
        if self.shared is None:
            write(self.out / "content" / name, hugo_markdown(story))
        else:
            link(self.shared / "content" / name, self.out / "content" / name)


class PelicanWriter(SiteWriter):
    def __init__(self, out: Path, authors: tuple[Author, ...], image: bytes, logo: bytes) -> None:
        super().__init__(out, authors, image, logo)
        peer = PEERS_DIR / "pelican"
        shutil.copy2(peer / "pelicanconf.py", out / "pelicanconf.py")
        shutil.copytree(peer / "theme", out / "theme", dirs_exist_ok=True)
        # Pelican has no author or section files: pelicanconf.py reads these from here.
        data = {
            "authors": {a.name: {"id": a.id, "role": a.role, "bio": a.bio} for a in authors},
            "sections": {section_id: info[1] for section_id, info in SECTIONS.items()},
        }
        write(out / "pelican_data.json", json.dumps(data, indent=1, ensure_ascii=False) + "\n")
        write(out / "content" / IMAGE_SRC, image)
        write(out / "content" / LOGO_SRC, logo)
        self.names = {a.id: a.name for a in authors}

    def story(self, story: Story) -> None:
        write(self.out / "content" / story.source_name, pelican_markdown(story, self.names))


WRITERS: dict[str, type[SiteWriter]] = {
    "dateline": DatelineWriter,
    "hugo": HugoWriter,
    "hugo-lean": HugoLeanWriter,
    "pelican": PelicanWriter,
}


def generate(n: int, out: Path, fmt: str = "dateline", seed: int = 2026) -> Corpus:
    """Write the corpus for one format (or all four in subfolders) into an empty `out`.

    The stories are written as they are made, so memory stays flat however large `n` is;
    the returned Corpus's stories have empty bodies (make_corpus() has them in full) and its
    `words` counts the bodies' words.
    """
    if out.exists() and any(out.iterdir()):
        raise SystemExit(f"{out} is not empty; give a new or empty folder")
    _MADE.clear()  # folders made by an earlier call may have been removed since
    stream = StoryStream(n, seed)
    image, logo = lead_jpeg(), logo_png()
    formats = FORMATS if fmt == "all" else (fmt,)
    writers: list[SiteWriter] = []
    for name in formats:
        target = out / name if fmt == "all" else out
        target.mkdir(parents=True, exist_ok=True)
        if name == "hugo-lean" and "hugo" in formats:  # one copy of the content on disk
            shared = out / "hugo"
            writers.append(HugoLeanWriter(target, stream.authors, image, logo, shared))
        else:
            writers.append(WRITERS[name](target, stream.authors, image, logo))
    stories = []
    words = 0
    for story in stream:
        for writer in writers:
            writer.story(story)
        words += len(_WORD_RE.findall(story.body))
        stories.append(replace(story, body=""))
    return Corpus(stream.authors, stream.tags, tuple(stories), words)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, required=True, help="number of articles")
    parser.add_argument("--out", type=Path, required=True, help="a new or empty folder")
    parser.add_argument("--seed", type=int, default=2026, help="random seed (default 2026)")
    parser.add_argument(
        "--format",
        choices=(*FORMATS, "all"),
        default="dateline",
        help="which generator to write for; 'all' writes dateline/ hugo/ hugo-lean/ pelican/ "
        "in --out",
    )
    args = parser.parse_args(argv)
    if args.n < 1:
        parser.error("--n must be at least 1")
    started = time.perf_counter()
    corpus = generate(args.n, args.out, args.format, args.seed)
    print(
        f"{len(corpus.stories)} articles ({corpus.words / len(corpus.stories):.0f} words each on "
        f"average), {len(corpus.authors)} authors, {len(corpus.tags)} tags written to "
        f"{args.out} ({args.format}) in {time.perf_counter() - started:.1f} s",
        file=sys.stderr,
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
