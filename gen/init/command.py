"""`dateline init DIR`: the command line of `init` and what it prints."""

from __future__ import annotations

import argparse
import shlex
import sys
from pathlib import Path

from gen.init import HOSTS, LANGUAGES

EXIT_OK, EXIT_ERRORS = 0, 1
# What to do once the files are pushed, by host.
SECRETS = "push it to GitHub and add the secrets .github/workflows/publish.yml names"
PUBLISHING = {
    "github": "push it to GitHub; in Settings → Pages choose GitHub Actions as the source",
    "gitlab": "push it to GitLab and add the pipeline schedule .gitlab-ci.yml describes",
    "netlify": SECRETS,
    "cloudflare": SECRETS,
    "s3": SECRETS,
}


def add_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add `init` to the command line's commands."""
    cmd = commands.add_parser(
        "init", help="write a new site, ready to build, check and push, with its CI workflow"
    )
    cmd.add_argument("dir", type=Path, metavar="DIR", help="a new or empty folder")
    cmd.add_argument(
        "--title",
        type=parse_title,
        help="the site's name (default: My Newsroom, or in uk Моя редакція)",
    )
    cmd.add_argument(
        "--language", choices=LANGUAGES, default="en", help="the site's language (default: en)"
    )
    cmd.add_argument(
        "--host",
        choices=HOSTS,
        default="github",
        help="where it is published, which decides the CI workflow (default: github)",
    )


def parse_title(value: str) -> str:
    """The site's name: one line of text."""
    from gen.source.newarticle import title_problem

    problem = title_problem(value)
    if problem is None and not value.strip():
        problem = "the title is empty"
    if problem is not None:
        raise argparse.ArgumentTypeError(problem)
    return value.strip()


def run(args: argparse.Namespace) -> int:
    """Write the new site, print what was written and what to do next."""
    from datetime import UTC, datetime

    from gen import __version__
    from gen.errors import GenError
    from gen.init.files import WORDS, Choices, site_files
    from gen.init.write import write_new_site

    folder: Path = args.dir
    title = args.title or WORDS[args.language].title
    try:
        files = site_files(Choices(title, args.language, args.host), datetime.now(UTC), __version__)
        write_new_site(folder, files)
    except GenError as exc:
        for problem in exc.problems:
            print(shown(str(problem)), file=sys.stderr)
        return EXIT_ERRORS
    print(f"Wrote a new site in {shown(str(folder))}:")
    for path in files:
        print(f"  {path}")
    here = folder.resolve() == Path.cwd().resolve()
    print("Next:")
    print(f"  {'' if here else f'cd {shlex.quote(shown(str(folder)))} && '}dateline serve")
    print("  set base_url in site.yaml, commit the site to a new git repository, then")
    print(f"  {PUBLISHING[args.host]}")
    return EXIT_OK


def shown(text: str) -> str:
    """`text` safe to print: control characters and undecodable bytes as escapes."""
    return "".join(c if c.isprintable() else c.encode("unicode_escape").decode() for c in text)
