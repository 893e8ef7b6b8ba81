"""Check stage, values left from `makecase init`: example.org addresses and example titles.

Found on a built page (`makecase check`) and in the project's own YAML (`makecase validate`),
each with the line of the project's files that put it there.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Iterator

from makecase.text import plain_english as plain

from makecase import resources
from makecase.errors import Location, Problem
from makecase.load.model import EXAMPLE_HOSTS, EXAMPLE_TITLES
from makecase.load.project import Project

EXAMPLE_ADDRESS = re.compile(r"[\w.+-]*@?(?:www\.)?example\.(?:org|com|net)\b[^\s\"'<>)]*", re.I)


def example_values(project: Project, page_html: str) -> Iterator[tuple[str, Location | None, str]]:
    """Values left from `makecase init` (example.org addresses, "The source's title") on a page,
    each with the line of the project's files that put it there."""
    seen: set = set()
    if page_html:
        # Long addresses carry zero-width spaces where they may wrap (render.py): not part of
        # the address, and not to be shown in a message.
        page_html = page_html.replace("\u200b", "")
        for match in EXAMPLE_ADDRESS.finditer(page_html):
            value = _address(match.group(0))
            host = value.split("@")[-1].split("/")[0].lower()
            if host not in EXAMPLE_HOSTS or value in seen:
                continue
            seen.add(value)
            where = find_in_files(project, value)
            # One value of the project's files shows as several addresses (the page's own
            # address, its site, the QR code's text): reported once, where it was written.
            if where is not None and (where.file, where.line) in seen:
                continue
            if where is not None:
                seen.add((where.file, where.line))
            yield (f"The example address {value} from `makecase init` is on the page.", where,
                   "Put your partnership's real contact, link or source there.")
        text = " ".join(plain.visible_text_blocks(page_html)).lower()
        for title in EXAMPLE_TITLES:
            if title in text and title not in seen:
                seen.add(title)
                yield (f"The example text \u201c{title}\u201d from `makecase init` is on the page.",
                       find_in_files(project, title), "Write the real title of the source.")


def project_example_values(project: Project) -> list[Problem]:
    """Example values from `makecase init` in the project's own YAML (not in comments):
    `validate` warns about them without laying anything out."""
    problems: list[Problem] = []
    for path in _own_yaml(project):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            code = line.split(" #", 1)[0] if not line.lstrip().startswith("#") else ""
            for match in EXAMPLE_ADDRESS.finditer(code):
                host = match.group(0).split("@")[-1].split("/")[0].lower()
                if host in EXAMPLE_HOSTS:
                    problems.append(Problem(
                        f"{match.group(0)} is the example from `makecase init`; it would go out on "
                        "every page that uses it.", Location(path, number, match.start() + 1),
                        hint="Put your partnership's real email address or link."))
            for title in EXAMPLE_TITLES:
                if title in code.lower():
                    problems.append(Problem(
                        f"\u201c{title}\u201d is the example from `makecase init`.", Location(path, number),
                        hint="Write the real title of the source."))
    return problems


def _own_yaml(project: Project) -> list[Path]:
    files = [project.root / "makecase.yaml"] + sorted((project.root / "content").glob("*.yaml"))
    return [f for f in files if f.is_file() and not f.name.endswith(".example.yaml")]


def _address(found: str) -> str:
    """An address as the page shows it to a reader: no mailto:, scheme, 'www.' or end slash."""
    value = found.removeprefix("mailto:")
    value = re.sub(r"^(?:https?://)?(?:www\.)?", "", value, flags=re.I)
    return value.rstrip("/")


def find_in_files(project: Project, needle: str) -> Location | None:
    """The first line of the project's own YAML (then the packaged content) that holds a value;
    for a web address, its longest start that some line holds (a page's address is made from
    site_url)."""
    while "/" in needle:
        where = _find_line(project, needle)
        if where is not None:
            return where
        needle = needle.rsplit("/", 1)[0]
    return _find_line(project, needle)


def _find_line(project: Project, needle: str) -> Location | None:
    lowered = needle.lower()
    for path in _own_yaml(project) + sorted(resources.content_dir().glob("*.yaml")):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if line.lstrip().startswith("#"):
                continue
            column = line.lower().find(lowered)
            if column >= 0:
                return Location(path, number, column + 1)
    return None
