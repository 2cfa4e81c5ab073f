"""`dateline import wordpress|jekyll|hugo`: the command line, and what it prints."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from gen.errors import EXIT_ERRORS, EXIT_OK


def add_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add `import` and its kinds to the command line's commands."""
    cmd = commands.add_parser(
        "import", help="bring an archive over from WordPress, Jekyll or Hugo (again: updates it)"
    )
    kinds = cmd.add_subparsers(dest="kind", metavar="KIND", required=True)
    wordpress = kinds.add_parser("wordpress", help="a WordPress export (Tools → Export, WXR)")
    wordpress.add_argument("source", type=Path, metavar="EXPORT.xml", help="the export file")
    wordpress.add_argument(
        "--media", type=Path, help="the uploads folder (wp-content/uploads) the images are in"
    )
    wordpress.add_argument(
        "--section-from",
        choices=("category", "tag"),
        default="category",
        help="what makes a post's section: its primary category (default) or first tag",
    )
    wordpress.add_argument(
        "--default-credit", default="", help="the credit of images that have none"
    )
    for kind, text in (
        ("jekyll", "a Jekyll site (its _posts/)"),
        ("hugo", "a Hugo site (content/)"),
    ):
        tree = kinds.add_parser(kind, help=text)
        tree.add_argument("source", type=Path, metavar="DIR", help="the site's folder")
    for kind_cmd in kinds.choices.values():
        kind_cmd.add_argument(
            "--site", type=Path, default=Path(), help="the Dateline site to write (default: here)"
        )


def run(args: argparse.Namespace) -> int:
    """Plan the import, write what nobody edited since the last one, write the report."""
    from gen.errors import GenError
    from gen.importers.common import REPORT, apply_plan, render_report, write_file

    site: Path = args.site
    try:
        import bs4  # noqa: F401  (markdownify's parser, used directly too)
        import markdownify  # noqa: F401
    except ImportError:
        print(
            "dateline import: error: needs markdownify: pip install 'dateline[import]'",
            file=sys.stderr,
        )
        return EXIT_ERRORS
    try:
        if args.kind == "wordpress":
            from gen.importers.wordpress import import_wordpress

            plan = import_wordpress(
                args.source,
                site,
                media=args.media,
                section_from=args.section_from,
                default_credit=args.default_credit,
            )
        elif args.kind == "jekyll":
            from gen.importers.jekyll import import_jekyll

            plan = import_jekyll(args.source, site)
        else:
            from gen.importers.hugo import import_hugo

            plan = import_hugo(args.source, site)
        applied = apply_plan(site, plan)
        report = render_report(plan, applied, str(args.source))
        write_file(site / REPORT, report.encode("utf-8"))
    except GenError as exc:
        for problem in exc.problems:
            print(problem, file=sys.stderr)
        return EXIT_ERRORS
    except OSError as exc:
        print(f"{exc.filename or args.source}: {exc.strerror or exc}", file=sys.stderr)
        return EXIT_ERRORS
    counts = ", ".join(f"{n} {what}" for what, n in plan.counts.items())
    people = len(plan.notes) + len(applied.edited)
    print(
        f"Imported {counts}: {len(applied.written)} files written, "
        f"{len(applied.unchanged)} unchanged, {len(applied.edited)} left as edited; "
        f"{people} items for a person in {site / REPORT}"
    )
    return EXIT_OK
