"""`makecase init`: a new partnership project that builds at once, with commented examples."""

from __future__ import annotations

import unicodedata
from pathlib import Path

import yaml

from makecase.errors import Location, MakecaseError, clean
from makecase.cli.ci_recipes import ci_files
from makecase.cli.schema import SETTINGS_SCHEMA, schema_name, write_schemas

# Every example below is written so that it builds when uncommented: in your editor, select the
# lines below "Example" and toggle the comment (Ctrl+/ or Cmd+/ in VS Code), which removes "# ".
# tests/test_customise.py does exactly that to each example.

SETTINGS = """\
# yaml-language-server: $schema=schema/{settings_schema}
# Settings for {name_text}'s briefings. Every key is optional; delete what you do not need.
# Build with:  makecase build   (run in this folder). Preview as you edit:  makecase serve

partnership:
  name: {name}
  # Example: your web address (uncomment the line below).
  # url: https://www.example.org/

# The contact on every page, unless an audience names its own.
contact:
  name: {name}
  role: Physical activity team
  email: hello@example.org

brand:
  primary: "#005EB8"     # masthead and links; checked against WCAG 2.2 contrast
  # The other colours are made from primary; name one only to override it.
  # dark: "#003087"      # headings and key figures
  # accent: "#007F3B"    # lever labels and rules
  # tint: "#E8EDEE"      # 'What you can do' box
  # Example: your logo. Put the file in assets/ first, then uncomment the lines below.
  # logo:
  #   file: assets/logo.svg       # SVG or PNG, inside this folder
  #   alt: {logo_alt}            # required: read out by screen readers

# Example: a line at the foot of every page (uncomment the line below).
# footer: {footer}

# Where the built pages will be published: each PDF's QR code then opens the page itself.
# site_url: https://www.example.org/briefings

# Which audiences to build: all, or a list of ids (see `makecase list audiences`).
audiences: all

layout:
  body_size: 12        # points
  min_body_size: 11    # the page may shrink to this before the build fails
  min_fill: 90         # per cent of the page in use; below this the build warns

output:
  dir: output
  formats: [pdf, html]
"""

EVIDENCE = """\
# yaml-language-server: $schema=../schema/{evidence_schema}
# Your evidence, laid over the packaged content by id (`makecase list evidence` shows the ids).
#  - An item with a new id is added.
#  - An item with an existing id replaces the keys it names; the rest stay as packaged.
#  - `enabled: false` switches an item off everywhere.
# Every source needs its link (https://...), where in it to look (section, or the sentence itself
# as passage) and the date you checked it. Use figures only as your source states them.
# A claim from the report quotes its words as passage instead of a link.

evidence:
  # Example: an item of your own; audiences.yaml shows how to put it on a page
  # (uncomment the lines below).
  # - id: local-walking-groups
  #   lever: active-travel
  #   headline: Walking groups reach people who are least active
  #   body: >-
  #     Write two or three short sentences in plain English.
  #   figure:
  #     value: "1,200"
  #     label: people joined a walking group in 2025
  #   sources:
  #     - title: Annual report 2025
  #       publisher: Your council
  #       year: 2025
  #       url: https://www.example.org/annual-report
  #       section: page 4
  #       checked: 2026-11-27
  #   reviewed: 2026-11-27

  # Example: reword a packaged item; name only what changes (uncomment the lines below).
  # - id: falls-admissions
  #   headline: Falls fill beds in our hospitals too

  # Example: switch a packaged item off (uncomment the lines below).
  # - id: stories-matter
  #   enabled: false
"""

STORIES = """\
# yaml-language-server: $schema=../schema/{stories_schema}
# Local stories. Use an audience's `story:` key to put one on its page, or a place's `story:`.
# `makecase list stories` shows the packaged ones.

stories:
  # Example: a story of your own (uncomment the lines below).
  # - id: our-story
  #   place: Our town
  #   title: what we did together
  #   did: >-
  #     What happened, in two or three sentences.
  #   helped: What made it work.
  #   links:
  #     - text: Read the full story
  #       url: https://www.example.org/story
  #       checked: 2026-11-27
  #   reviewed: 2026-11-27
"""

AUDIENCES = """\
# yaml-language-server: $schema=../schema/{audiences_schema}
# Audiences, laid over the packaged six by id (`makecase list audiences`). To change what a
# page shows, name only the keys you change; to stop building one, use `enabled: false` or
# list ids in makecase.yaml.

audiences:
  # Example: a new key message for ICS leads (uncomment the lines below).
  # - id: ics-leads
  #   key_message: Make physical activity part of how our system plans for health.

  # Example: your evidence and story on the GPs' page. Uncomment the examples in
  # evidence.yaml and stories.yaml first, then the lines below.
  # - id: gps
  #   evidence: [local-walking-groups, nice-brief-advice, clinical-champions]
  #   story: our-story
"""

PLACES = """\
# yaml-language-server: $schema=../schema/{places_schema}
# Local places. With at least one place, `makecase build` makes every audience for every
# place, in output/<place-id>/<audience-id>.pdf, and fills {{place.name}} in the text.
# To use it, rename this file to places.yaml.

places:
  - id: our-area
    name: Our area
    kind: local authority area
    population: 250000
    # Example: local figures, exactly as a source states them, each with its source
    # (uncomment the lines below).
    # figures:
    #   - value: "12,345"
    #     label: replace with a figure your source states
    #     source:
    #       title: The source's title
    #       publisher: Who published it
    #       year: 2025
    #       url: https://www.example.org/source
    #       section: the table or page it is on
    #       checked: 2026-11-27
"""

ASSETS_README = """\
Put your logo (SVG or PNG) and any open-licence font files here, and name them in
makecase.yaml, for example `brand: {{logo: {{file: assets/logo.svg, alt: Our logo}}}}`.
Files outside this project folder are never read during a build.
"""


def yaml_value(value: object) -> str:
    """A value as YAML writes it, so that a name like 2025, yes, 'a: b' or *x stays text."""
    text = yaml.safe_dump(value, default_flow_style=True, allow_unicode=True, width=10**6)
    return text.removesuffix("\n...\n").strip()


def init_project(target: Path, ci: str | None = None) -> list[Path]:
    """Create a project folder; refuse to touch an existing project. With ci ("github" or
    "gitlab"), also its CI workflow and a requirements.txt pinning this makecase (ci_recipes.py)."""
    if target.exists() and not target.is_dir():
        raise MakecaseError.single(f"'{target}' exists and is not a folder.", Location(target),
                                   hint="Choose a new folder name.")
    if target.is_dir() and any(target.iterdir()):
        raise MakecaseError.single(
            f"'{target}' is not empty; makecase init never overwrites files.", Location(target),
            hint="Choose a new folder name, or run `makecase build` in the existing project.")
    folder_name = target.resolve().name
    if any(unicodedata.category(c) in ("Cc", "Cf", "Zl", "Zp") for c in folder_name):
        escaped = clean(folder_name.replace("\n", "\\n"), 60)
        raise MakecaseError.single(
            f"The folder name '{escaped}' holds a line break or another control character: nothing was made.",
            hint="Choose a folder name of letters, digits, spaces and hyphens, e.g. makecase init our-partnership.")
    # The partnership's name is made from the folder's: one line, words single-spaced, so every
    # place it is written (a YAML value, a comment) stays one line of valid YAML.
    name = " ".join(folder_name.replace("-", " ").replace("_", " ").split()).title() or "Our Partnership"
    files = {
        "makecase.yaml": SETTINGS.format(
            name=yaml_value(name), name_text=name, settings_schema=SETTINGS_SCHEMA,
            logo_alt=yaml_value(f"{name} logo"), footer=yaml_value(f"Produced by {name} with local NHS partners.")),
        "content/evidence.yaml": EVIDENCE.format(evidence_schema=schema_name("evidence.yaml")),
        "content/stories.yaml": STORIES.format(stories_schema=schema_name("stories.yaml")),
        "content/audiences.yaml": AUDIENCES.format(audiences_schema=schema_name("audiences.yaml")),
        "content/places.example.yaml": PLACES.format(places_schema=schema_name("places.yaml")),
        "assets/README.txt": ASSETS_README.format(),
        ".gitignore": "output/\n",
    }
    if ci:
        files.update(ci_files(ci))
    written = []
    for rel, text in files.items():
        path = target / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
        written.append(path)
    written += write_schemas(target / "schema")
    (target / "templates").mkdir(exist_ok=True)
    return written
