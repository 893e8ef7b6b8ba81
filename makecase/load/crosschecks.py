"""Load stage, cross-file checks: what no one file can know on its own.

References between files, brand contrast, placeholders, Markdown cost, texts with placeholders
filled, the output folder, and the warnings that --strict turns into errors. Each check adds
to one ProblemList, so a person sees every problem at once.
"""

from __future__ import annotations

from pydantic import ValidationError

from makecase.text import plain_english as plain
from makecase.contain import contained_dir
from makecase.load.contrast import contrast_failures
from makecase.errors import MakecaseError, Problem, ProblemList
from makecase.text.markdown_html import MarkdownError, check_cost, markdown_to_html
from makecase.load.messages import did_you_mean, explain_error, own_file_problem, validation_errors
from makecase.load.model import Item
from makecase.load.placeholders import KNOWN as KNOWN_PLACEHOLDERS
from makecase.load.placeholders import PLACE_NAMES as PLACE_PLACEHOLDERS
from makecase.load.placeholders import names_in as placeholder_names
from makecase.load.placeholders import fill_all, strings_in, values_for
from makecase.load.privacy import identifying_pages
from makecase.load.project import Project


def check_project(project: Project, problems: ProblemList) -> None:
    """Every cross-file check, in the order their problems are listed."""
    check_references(project, problems)
    check_contrast(project, problems)
    check_placeholders(project, problems)
    problems.extend(identifying_pages(project))
    check_markdown(project, problems)
    if not problems:
        check_filled(project, problems)
    check_output_dir(project, problems)


def check_references(project: Project, problems: ProblemList) -> None:
    """Every id one item names must exist (or have been switched off on purpose)."""

    def check(item: Item, key: str, ref: str | None, collection: str, kind: str,
              index: int | None = None) -> None:
        target = getattr(project, collection)
        # An id switched off on purpose, or whose own item is already reported, is not "unknown".
        if ref is None or ref in target or f"{collection}:{ref}" in project.switched_off | project.invalid:
            return
        sub = () if index is None else (index,)
        label = f"{kind_of(item)} {item.id} › {key}" + (f" › {index}" if index is not None else "")
        problems.add(f"Unknown {kind} id '{ref}'.", item.where(key, *sub), key=label,
                     hint=did_you_mean(ref, list(target), f"Known {kind} ids: ") or f"No {kind}s are defined.")

    for ev in project.evidence.values():
        check(ev, "lever", ev.lever, "levers", "lever")
    for audience in project.audiences.values():
        for i, ref in enumerate(audience.evidence):
            check(audience, "evidence", ref, "evidence", "evidence", i)
            if ref in audience.evidence[:i]:
                problems.add(f"Evidence id '{ref}' is listed twice.", audience.where("evidence", i),
                             key=f"audience {audience.id} › evidence › {i}", hint="List each evidence item once.")
        check(audience, "story", audience.story, "stories", "story")
        check(audience, "quote", audience.quote, "quotes", "quote")
    for place in project.places.values():
        check(place, "story", place.story, "stories", "story")
    if project.settings.audiences != "all":
        for i, ref in enumerate(project.settings.audiences):
            if ref not in project.audiences and f"audiences:{ref}" not in project.switched_off:
                problems.add(
                    f"Unknown audience id '{ref}'.",
                    project.setting_where(f"audiences.{i}"),
                    key=f"audiences › {i}",
                    hint=did_you_mean(ref, list(project.audiences), "Known audience ids: "))


def check_contrast(project: Project, problems: ProblemList) -> None:
    for field_name, colour, other, other_colour, value, minimum, use, better in contrast_failures(project.settings.brand):
        other_label = f"brand.{other}" if not other.startswith("#") else "white"
        problems.add(
            f"Brand colour brand.{field_name} {colour} against {other_label} {other_colour} has contrast "
            f"{value:.2f}:1, below the {minimum:g}:1 that WCAG 2.2 AA needs for {use}.",
            project.setting_where(f"brand.{field_name}"),
            key=f"brand.{field_name}",
            hint=(f"The nearest shade that passes is {better}." if better else "Choose a darker or lighter colour."))


def check_placeholders(project: Project, problems: ProblemList) -> None:
    """Placeholders such as {place.name} must be known, and place ones need places.yaml."""
    known = set(KNOWN_PLACEHOLDERS)
    if project.settings.partnership is None:
        known.discard("partnership.name")
    collections = [project.audiences, project.evidence, project.stories, project.levers, project.quotes]
    for items in collections:
        for item in items.values():
            for path, text in strings_in(item.model_dump()):
                label = f"{kind_of(item)} {item.id} › {'.'.join(str(p) for p in path)}"
                _check_names(project, text, known, item.where(str(path[0]), *path[1:]), label, problems)
    _check_names(project, project.settings.footer or "", known, project.setting_where("footer"),
                 "footer", problems)


def _check_names(project: Project, text: str, known: set[str], where, label: str,
                 problems: ProblemList) -> None:
    for name in placeholder_names(text):
        if name not in known:
            problems.add(f"Unknown placeholder {{{name}}}.", where, key=label,
                         hint=did_you_mean(name, sorted(known), "Placeholders you can use: ")
                         + " Write {{ and }} for literal braces.")
        elif name in PLACE_PLACEHOLDERS and not project.places:
            problems.add(f"{{{name}}} needs a place, but the project has no places.yaml.", where, key=label,
                         hint="Add content/places.yaml with at least one place, or write the name out.")


def check_output_dir(project: Project, problems: ProblemList) -> None:
    """output.dir comes from the project's own (untrusted) file: it must stay inside the project."""
    try:
        contained_dir(project.root, project.settings.output.dir,
                      project.setting_where("output.dir"),
                      "output.dir")
    except MakecaseError as exc:
        problems.extend(exc.problems)


# Fields the templates show through Markdown (the `md` and `md_inline` filters).
MARKDOWN_FIELDS = {"Audience": {"why", "actions", "note"}, "EvidenceItem": {"body", "figure"},
                   "Story": {"did", "helped"}, "Place": {"figures"}}


def check_markdown(project: Project, problems: ProblemList) -> None:
    """Convert each Markdown text once now (the renderer reuses it), so a costly or too-deep
    text is an error with its file and line rather than a slow or crashed build."""
    collections = [project.audiences, project.evidence, project.stories, project.levers,
                   project.quotes, project.glossary, project.places]
    for items in collections:
        for item in items.values():
            md_keys = MARKDOWN_FIELDS.get(type(item).__name__, set())
            for path, text in strings_in(item.model_dump()):
                try:
                    if path[0] in md_keys:
                        markdown_to_html(text)
                    else:
                        check_cost(text)
                except MarkdownError as exc:
                    problems.add(str(exc), item.where(str(path[0]), *path[1:]),
                                 key=f"{kind_of(item)} {item.id} › {'.'.join(map(str, path))}",
                                 hint=exc.hint)
    footer = project.settings.footer
    if footer:
        try:
            markdown_to_html(footer, inline=True)
        except MarkdownError as exc:
            problems.add(str(exc), project.settings_where.get("footer"), key="footer", hint=exc.hint)


def check_filled(project: Project, problems: ProblemList) -> None:
    """With placeholders filled for each place, every text must still meet its field's rules
    (a long place name can push a short title past its limit)."""
    places = list(project.places.values()) or [None]
    collections = [project.audiences, project.evidence, project.stories, project.levers, project.quotes]
    for items in collections:
        for item in items.values():
            data = item.model_dump()
            if not any(placeholder_names(text) for _, text in strings_in(data)):
                continue
            for place in places:
                values = values_for(project.settings.partnership, place)
                try:
                    type(item).model_validate(fill_all(data, values))
                except ValidationError as exc:
                    for error in validation_errors(exc):
                        loc = tuple(error["loc"])
                        label = f"{kind_of(item)} {item.id} › {'.'.join(map(str, loc))}"
                        where = f" for {place.name}" if place else ""
                        message, hint = explain_error(error, next((str(p) for p in reversed(loc) if isinstance(p, str)), ""),
                                                 type(item), loc)
                        problems.add(f"With placeholders filled{where}: {message[0].lower()}{message[1:]}",
                                     item.where(str(loc[0]), *loc[1:]) if loc else item.where(), key=label,
                                     hint=hint or "Shorten the text around the placeholder.")
                    break


# --- warnings: fine to build, worth a look; --strict makes them errors -------------------------

def content_warnings(project: Project) -> list[Problem]:
    """Fine to build, worth a look. A warning about packaged content points at the project's
    own file, with the YAML to write there (messages.own_file_problem)."""
    warnings = _unused_warnings(project)
    for audience in project.audiences.values():
        for i, link in enumerate(audience.signposts):
            if link.url.startswith("https://") and link.checked is None:
                warnings.append(Problem(
                    f"Signpost '{link.text}' has no 'checked' date.", audience.where("signposts", i),
                    key=f"audience {audience.id} › signposts › {i}",
                    hint="Open the link, make sure it still says what the page promises, and add "
                         "'checked: YYYY-MM-DD'."))
    return warnings + _prose_warnings(project)


def _unused_warnings(project: Project) -> list[Problem]:
    """Levers and evidence items no audience's page can show."""
    warnings: list[Problem] = []
    used = {project.evidence[e].lever for a in project.audiences.values() for e in a.evidence
            if e in project.evidence}
    for lever in project.levers.values():
        if lever.id not in used:
            warnings.append(own_file_problem(
                project.root, f"Lever '{lever.id}' is not used by any audience.", lever.where(), None,
                "Add one of its evidence items to an audience, or switch the lever off too.",
                lever, ["enabled: false"]))
    shown = {e for a in project.audiences.values() for e in a.evidence}
    for item in project.evidence.values():
        if item.id not in shown:
            warnings.append(own_file_problem(
                project.root, f"Evidence item '{item.id}' is on no audience's page.", item.where(), None,
                "Add its id to an audience's evidence list in content/audiences.yaml, or switch it off.",
                item, ["enabled: false"]))
    return warnings


def _prose_warnings(project: Project) -> list[Problem]:
    """Sentences and paragraphs longer than plain English keeps them."""
    warnings: list[Problem] = []
    prose = ([(a, k) for a in project.audiences.values() for k in ("key_message", "why")]
             + [(e, "body") for e in project.evidence.values()]
             + [(s, k) for s in project.stories.values() for k in ("did", "helped")])
    for item, key in prose:
        text = getattr(item, key)
        found = plain.sentences(text)
        reword = [f"{key}: >-", "  Your own words, in shorter sentences."]
        for sentence in found:
            count = len(plain.words(sentence))
            if count > plain.MAX_SENTENCE_WORDS:
                warnings.append(own_file_problem(
                    project.root,
                    f"A sentence of {count} words (plain English keeps them to {plain.MAX_SENTENCE_WORDS} or fewer): "
                    f"\"{sentence[:60]}…\"", item.where(key), f"{item.id} › {key}", "Split it in two.",
                    item, reword))
        if len(found) > plain.MAX_PARAGRAPH_SENTENCES:
            warnings.append(own_file_problem(
                project.root,
                f"{len(found)} sentences in one paragraph (plain English keeps to {plain.MAX_PARAGRAPH_SENTENCES}).",
                item.where(key), f"{item.id} › {key}", "Cut a sentence or move it elsewhere.", item, reword))
    return warnings


def kind_of(item) -> str:
    """What a message calls an item: "evidence", "audience", "story" (not "evidenceitem")."""
    name = type(item).__name__
    return {"EvidenceItem": "evidence", "GlossaryTerm": "glossary term"}.get(name, name.lower())
