"""What each host documents it serves (files, bytes, rules), and warnings where a build
passes it: a site that outgrows its host should hear so from the build, not the deploy."""

from __future__ import annotations

from dataclasses import dataclass

from gen.model import OutputFile
from gen.outputs.state import OutputState

MIB = 1024 * 1024
GB = 1000**3


@dataclass(frozen=True, slots=True)
class HostLimits:
    """What a host documents it serves; 0: no limit documented."""

    name: str
    files: int = 0  # files in a site
    file_size: int = 0  # bytes in one file
    site_size: int = 0  # bytes in all
    per_folder: int = 0  # files directly in one folder
    redirects: int = 0  # rules in _redirects
    header_rules: int = 0  # rules in _headers


HOST_LIMITS = {
    # docs.github.com, "GitHub Pages limits"; "About large files on GitHub" (100 MiB).
    "github": HostLimits("GitHub Pages", file_size=100 * MIB, site_size=GB),
    # GitLab.com's Pages: 1 GB a site and 200,000 file entries.
    "gitlab": HostLimits("GitLab Pages", files=200_000, site_size=GB),
    # developers.cloudflare.com, Pages "Limits" (the Free plan's 20,000 files), "Redirects"
    # (2,000 static rules) and "Headers" (100 rules).
    "cloudflare": HostLimits(
        "Cloudflare Pages",
        files=20_000,
        file_size=25 * MIB,
        redirects=2_000,
        header_rules=100,
    ),
    # docs.netlify.com, "Site deploys overview": no limit per deploy, 54,000 files a folder.
    "netlify": HostLimits("Netlify", per_folder=54_000),
}


def limit_warnings(host: str, sizes: dict[str, int]) -> list[str]:
    """Where the written site (`sizes`: every file's path and bytes, the search index's
    included) passes what `host` documents it serves."""
    limits = HOST_LIMITS.get(host)
    if limits is None:
        return []
    where = f"host '{host}': {limits.name}"
    found = []
    if limits.files and len(sizes) > limits.files:
        found.append(
            f"{where} serves at most {limits.files:,} files, and this build wrote "
            f"{len(sizes):,} (the search index's included)"
        )
    if limits.per_folder:
        counts: dict[str, int] = {}
        for path in sizes:
            folder = path.rpartition("/")[0]
            counts[folder] = counts.get(folder, 0) + 1
        for folder, count in sorted(counts.items()):
            if count > limits.per_folder:
                found.append(
                    f"{where} serves at most {limits.per_folder:,} files in one folder, and "
                    f"{folder or 'the output folder'}/ holds {count:,}"
                )
    if limits.site_size and sum(sizes.values()) > limits.site_size:
        found.append(
            f"{where} serves sites of at most {_size(limits.site_size)}, and this build is "
            f"{_size(sum(sizes.values()))}"
        )
    if limits.file_size:
        large = sorted(p for p, size in sizes.items() if size > limits.file_size)
        for path in large[:3]:
            found.append(
                f"{where} serves files of at most {_size(limits.file_size)}, and {path} is "
                f"{_size(sizes[path])}"
            )
        if len(large) > 3:
            found.append(f"{where}: {len(large) - 3:,} more files are larger than that")
    return found


def _size(n: int) -> str:
    """Bytes as the hosts' documents write them: GB, MiB, or bytes below a mebibyte."""
    if n >= GB:
        return f"{n / GB:.1f} GB"
    return f"{n / MIB:.1f} MiB" if n >= MIB else f"{n:,} bytes"


def output_sizes(files: list[OutputFile], previous: OutputState) -> dict[str, int]:
    """Each file's size as the output will hold it (a kept file's, as the writer left it)."""
    sizes = {}
    for file in files:
        known = previous.get(file.path)
        if file.kept and known is not None:
            sizes[file.path] = known[1]
        else:
            sizes[file.path] = file.spooled.size if file.spooled is not None else len(file.data)
    return sizes
