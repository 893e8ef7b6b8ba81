"""Load stage: YAML files (packaged defaults, then the project's own) to one validated Project.

Layering works by id. For each collection the packaged item comes first; an item with the same
id in the project's file replaces the keys it names (so `evidence: [...]` alone reorders an
audience), an item with a new id is added, and `enabled: false` switches an item off.
"""

from __future__ import annotations

import copy
import difflib
import os
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, TypeVar

from pydantic import BaseModel, ValidationError

from . import plain, resources
from .assets import BrandFiles, load_brand
from .contain import contained_dir
from .contrast import contrast_failures
from .errors import Location, MakecaseError, Problem, ProblemList
from .limits import DEFAULT as DEFAULT_LIMITS
from .limits import Limits
from .mdtext import MarkdownError, check_cost, markdown_to_html
from .placeholders import KNOWN as KNOWN_PLACEHOLDERS
from .placeholders import PLACE_NAMES as PLACE_PLACEHOLDERS
from .placeholders import names_in as placeholder_names
from .placeholders import fill_all, strings_in, values_for
from .privacy import identifying_pages
from .model import (Audience, Contact, EvidenceItem, GlossaryTerm, Item, Lever, Place, Quote,
                    Settings, Story)
from .overrides import unknown_overrides
from .yamlsource import YamlSource, read_yaml

SETTINGS_FILE = "makecase.yaml"
CONTENT_DIR = "content"

T = TypeVar("T", bound=Item)


@dataclass(frozen=True)
class Collection:
    """A list of items in a content file: its file, its top-level key and its model."""

    name: str
    file: str
    key: str
    model: type[Item]
    singular: str


COLLECTIONS: tuple[Collection, ...] = (
    Collection("levers", "evidence.yaml", "levers", Lever, "lever"),
    Collection("evidence", "evidence.yaml", "evidence", EvidenceItem, "evidence item"),
    Collection("quotes", "evidence.yaml", "quotes", Quote, "quote"),
    Collection("stories", "stories.yaml", "stories", Story, "story"),
    Collection("audiences", "audiences.yaml", "audiences", Audience, "audience"),
    Collection("glossary", "glossary.yaml", "terms", GlossaryTerm, "glossary term"),
    Collection("places", "places.yaml", "places", Place, "place"),
)

# Keys a content file may have at its top level, beyond its collections.
EXTRA_TOP_KEYS: dict[str, dict[str, type[BaseModel]]] = {"audiences.yaml": {"contact": Contact}}
CONTENT_FILES = tuple(dict.fromkeys(c.file for c in COLLECTIONS))


@dataclass
class Project:
    """Everything a build needs, validated. Nothing downstream reads YAML."""

    root: Path
    settings: Settings
    levers: dict[str, Lever]
    evidence: dict[str, EvidenceItem]
    quotes: dict[str, Quote]
    stories: dict[str, Story]
    audiences: dict[str, Audience]
    glossary: dict[str, GlossaryTerm]
    places: dict[str, Place]
    default_contact: Contact | None
    settings_where: dict[str, Location] = field(default_factory=dict)
    switched_off: set[str] = field(default_factory=set)  # "collection:id" switched off by enabled: false
    invalid: set[str] = field(default_factory=set)  # "collection:id" whose own errors are already reported
    template_dirs: list[Path] = field(default_factory=list)
    allowed_dirs: list[Path] = field(default_factory=list)
    limits: Limits = DEFAULT_LIMITS
    brand_files: BrandFiles = field(default_factory=BrandFiles)
    warnings: list[Problem] = field(default_factory=list)

    @property
    def contact(self) -> Contact | None:
        return self.settings.contact or self.default_contact

    def audiences_to_build(self) -> list[Audience]:
        chosen = self.settings.audiences
        if chosen == "all":
            return list(self.audiences.values())
        return [self.audiences[a] for a in chosen if a in self.audiences]


def load_project(root: Path | str = ".") -> Project:
    """Read and validate a project folder, raising one MakecaseError with every problem found."""
    root = Path(root)
    if not root.is_dir():
        raise MakecaseError.single(
            f"The project folder '{root}' does not exist.",
            hint="Pass an existing folder with -C, or run `makecase init FOLDER` to make one.")
    root = root.resolve()
    problems = ProblemList()

    settings, settings_where = _load_settings(root, problems)
    limits = _limits(settings)
    brand_files, brand_problems = load_brand(root, settings.brand, settings_where, limits)
    problems.extend(brand_problems)

    packaged = resources.content_dir()
    layers = [(packaged, [packaged.resolve()])]
    own_content = root / CONTENT_DIR
    if own_content.is_dir() and own_content.resolve() != packaged.resolve():
        layers.append((own_content, [root]))

    sources: dict[str, list[YamlSource]] = {}
    for name in CONTENT_FILES:
        sources[name] = []
        for layer, roots in layers:
            path = layer / name
            if not os.path.lexists(path):
                continue
            try:
                source = (read_packaged(path, limits) if layer == packaged else read_yaml(path, roots, limits))
            except MakecaseError as exc:
                problems.extend(exc.problems)
                continue
            _check_top_level(source, name, problems)
            sources[name].append(source)

    merged: dict[str, dict[str, Item]] = {}
    switched_off: set[str] = set()
    invalid: set[str] = set()
    for collection in COLLECTIONS:
        merged[collection.name], off, failed = _merge_collection(collection, sources[collection.file], problems)
        switched_off |= {f"{collection.name}:{i}" for i in off}
        invalid |= {f"{collection.name}:{i}" for i in failed}

    default_contact = _load_extra(sources["audiences.yaml"], "contact", Contact, problems)

    project = Project(
        root=root,
        settings=settings,
        default_contact=default_contact,
        settings_where=settings_where,
        switched_off=switched_off,
        invalid=invalid,
        template_dirs=_template_dirs(root),
        allowed_dirs=[root, resources.package_dir(), resources.templates_dir(),
                      resources.content_dir()],
        limits=limits,
        brand_files=brand_files,
        **merged,  # type: ignore[arg-type]
    )
    _check_references(project, problems)
    _check_contrast(project, problems)
    _check_placeholders(project, problems)
    problems.extend(identifying_pages(project))
    _check_markdown(project, problems)
    if not problems:
        _check_filled(project, problems)
    _check_output_dir(project, problems)
    problems.raise_if_any()
    project.warnings = _warnings(project) + unknown_overrides(root)
    return project


_PACKAGED: dict[tuple, YamlSource] = {}


def read_packaged(path: Path, limits: Limits) -> YamlSource:
    """The packaged content, parsed once per process (a test run or a long-lived worker loads it
    many times); each caller gets its own copy of the data, as loading may change it."""
    info = path.stat()
    key = (path, info.st_mtime_ns, info.st_size, limits)
    if key not in _PACKAGED:
        _PACKAGED[key] = read_yaml(path, [path.parent.resolve()], limits)
    cached = _PACKAGED[key]
    return YamlSource(cached.file, copy.deepcopy(cached.data), cached.value_marks, cached.key_marks)


def _template_dirs(root: Path) -> list[Path]:
    own = root / "templates"
    dirs = [own] if own.is_dir() and own.resolve() != resources.templates_dir().resolve() else []
    return dirs + [resources.templates_dir()]


# --- settings ---------------------------------------------------------------------------------


def _limits(settings: Settings) -> Limits:
    own = settings.limits
    return Limits(file_kb=own.file_kb, field_chars=own.field_chars, depth=own.depth,
                  layout_seconds=own.layout_seconds)


def _load_settings(root: Path, problems: ProblemList) -> tuple[Settings, dict[str, Location]]:
    path = root / SETTINGS_FILE
    if not os.path.lexists(path):
        return Settings(), {}
    try:
        source = read_yaml(path, [root])
    except MakecaseError as exc:
        problems.extend(exc.problems)
        return Settings(), {}
    data = source.data if source.data is not None else {}
    if not isinstance(data, dict):
        problems.add("makecase.yaml should be a block of 'key: value' settings.", source.where(()),
                     hint="Start from the file that `makecase init` writes.")
        return Settings(), {}
    where = {".".join(str(p) for p in k): source.where(k) for k in source.value_marks if k}
    try:
        return Settings.model_validate(data), where
    except ValidationError as exc:
        for error in validation_errors(exc):
            problems.items.append(_problem_from_error(error, source, (), Settings, "setting"))
        return Settings(), where


# --- content files ----------------------------------------------------------------------------


def _check_top_level(source: YamlSource, name: str, problems: ProblemList) -> None:
    allowed = [c.key for c in COLLECTIONS if c.file == name] + list(EXTRA_TOP_KEYS.get(name, {}))
    if source.data is None:
        return
    if not isinstance(source.data, dict):
        problems.add(
            f"{name} should start with top-level keys ({', '.join(allowed)}), each holding a list.",
            source.where(()), hint=f"Begin the file with a line such as '{allowed[0]}:'.")
        source.data = None
        return
    for key in list(source.data):
        if key not in allowed:
            problems.add(f"Unknown top-level key '{key}' in {name}.", source.where((key,), key=True),
                         hint=_did_you_mean(str(key), allowed, "This file may hold: "))
            del source.data[key]


def _merge_collection(collection: Collection, sources: list[YamlSource],
                      problems: ProblemList) -> tuple[dict[str, Item], set[str], set[str]]:
    """Layer the raw items of each source by id, then validate each merged item once."""
    raw: dict[str, dict[str, Any]] = {}
    key_origin: dict[str, dict[str, tuple[YamlSource, tuple]]] = {}
    item_origin: dict[str, tuple[YamlSource, tuple]] = {}
    disabled: set[str] = set()

    for source in sources:
        if source.data is None or collection.key not in source.data:
            continue
        items = source.data[collection.key]
        if items is None:
            continue
        if not isinstance(items, list):
            problems.add(
                f"'{collection.key}' should be a list, one {collection.singular} per entry starting with '- id:'.",
                source.where((collection.key,)), hint="Indent each entry under the key and start it with '- '.")
            continue
        seen_here: dict[str, int] = {}
        for index, entry in enumerate(items):
            path = (collection.key, index)
            if not isinstance(entry, dict):
                problems.add(f"Each {collection.singular} should be a block of 'key: value' lines.",
                             source.where(path), hint="Start the entry with '- id: some-id' and indent its other keys under it.")
                continue
            item_id = entry.get("id")
            if not isinstance(item_id, str) or not item_id:
                problems.add(f"This {collection.singular} has no id.", source.where(path),
                             hint="Add 'id: a-short-name' (lower-case words joined by hyphens).")
                continue
            if item_id in seen_here:
                problems.add(
                    f"Duplicate {collection.singular} id '{item_id}' (first used on line "
                    f"{source.where((collection.key, seen_here[item_id])).line}).",
                    source.where(path + ("id",)), key=f"{collection.key} › {item_id}",
                    hint="Give each item its own id, or delete one of the two.")
                continue
            seen_here[item_id] = index
            if entry.get("enabled") is False:
                disabled.add(item_id)
                item_origin[item_id] = (source, path)
                continue
            disabled.discard(item_id)
            target = raw.setdefault(item_id, {})
            origins = key_origin.setdefault(item_id, {})
            for key, value in entry.items():
                target[key] = value
                origins[str(key)] = (source, path + (key,))
            item_origin[item_id] = (source, path)

    result: dict[str, Item] = {}
    failed: set[str] = set()
    for item_id, data in raw.items():
        if item_id in disabled:
            continue
        try:
            item = collection.model.model_validate(data)
        except ValidationError as exc:
            for error in validation_errors(exc):
                problems.items.append(_item_problem(error, collection, item_id,
                                                    key_origin[item_id], item_origin[item_id]))
            failed.add(item_id)
            continue
        item._origin = item_origin[item_id]
        item._key_origins = dict(key_origin[item_id])
        result[item_id] = item
    return result, disabled, failed


def _load_extra(sources: list[YamlSource], key: str, model: type[BaseModel],
                problems: ProblemList) -> Any:
    value = None
    for source in sources:
        if source.data is None or key not in source.data:
            continue
        try:
            value = model.model_validate(source.data[key])
        except ValidationError as exc:
            for error in validation_errors(exc):
                problems.items.append(_problem_from_error(error, source, (key,), model, key))
    return value


# --- turning pydantic's errors into plain English ----------------------------------------------


# Pydantic names the branches of a union in an error's path ('list[constrained-str]',
# "literal['all']"): type names a person never wrote, so they are dropped.
_BRANCH = re.compile(r"[\[\]()]|^(constrained-str|str|int|float|bool|none|date|list|dict)$")


def validation_errors(exc: ValidationError) -> list[dict]:
    """Pydantic's errors with union branch names taken out of their paths, one error per place."""
    cleaned: list[dict] = []
    for error in exc.errors():
        loc = tuple(error["loc"])
        plain_loc = tuple(p for p in loc if not (isinstance(p, str) and _BRANCH.search(p)))
        cleaned.append({**error, "loc": plain_loc, "_branch": plain_loc != loc})
    # Of a union's errors, a literal branch ("or 'all'") is noise beside the other branch's error.
    branches = [e for e in cleaned if e["_branch"]]
    result = []
    for error in cleaned:
        if error["_branch"] and error["type"] == "literal_error" and any(
                other is not error and other["loc"][:len(error["loc"])] == error["loc"] for other in branches):
            continue
        result.append(error)
    return result


def _item_problem(error: dict, collection: Collection, item_id: str,
                  key_origin: dict[str, tuple[YamlSource, tuple]],
                  item_origin: tuple[YamlSource, tuple]) -> Problem:
    loc = tuple(error["loc"])
    first = str(loc[0]) if loc else None
    if first is not None and first in key_origin:
        source, path = key_origin[first]
        base = path[:-1]
    else:
        source, base = item_origin
    return _problem_from_error(error, source, base, collection.model, f"{collection.key} › {item_id}")


def _problem_from_error(error: dict, source: YamlSource, base: tuple, model: type[BaseModel],
                        label: str) -> Problem:
    loc = tuple(error["loc"])
    kind = error["type"]
    path = base + loc
    location = source.where(path, key=(kind == "extra_forbidden"))
    key_label = " › ".join([label, *[str(p) for p in loc]]) if loc else label
    field_name = next((str(p) for p in reversed(loc) if isinstance(p, str)), "")
    message, hint = _explain(error, field_name, model, loc)
    return Problem(message, location, key_label, hint)


PATTERN_HINTS = {
    "id": ("should be a short id: lower-case letters and numbers joined by hyphens",
           "For example 'fewer-bed-days'."),
    "url": ("should be a full web address starting with https://",
            "Copy the address from your browser's address bar, e.g. https://www.nice.org.uk/."),
    "code": ("should be an interviewee code from the report, like L20 or N5", None),
    "email": ("should be an email address like name@example.org", None),
    "language": ("should be a language tag like en-GB", None),
}
COLOUR_FIELDS = {"primary", "dark", "accent", "tint", "text", "background"}
ID_FIELDS = {"id", "lever", "evidence", "story", "quote", "audiences"}


def _explain(error: dict, field_name: str, model: type[BaseModel], loc: tuple) -> tuple[str, str | None]:
    kind = error["type"]
    ctx = error.get("ctx") or {}
    what = f"'{field_name}'" if field_name else "This value"
    if kind == "missing":
        return f"Required key '{field_name}' is missing.", f"Add '{field_name}: ...' to this item."
    if kind == "extra_forbidden":
        allowed = _allowed_keys(model, loc[:-1])
        return f"Unknown key '{field_name}'.", _did_you_mean(field_name, allowed, "Allowed keys here: ")
    if kind == "string_type":
        return f"{what} should be text.", "If it looks like a number, date or yes/no, put it in quotes."
    if kind == "string_too_short":
        return f"{what} is empty.", "Write the text, or remove the key if it is optional."
    if kind == "string_too_long":
        return (f"{what} is too long (at most {ctx.get('max_length')} characters).",
                "Shorten it so it fits its place on the page.")
    if kind == "string_pattern_mismatch":
        if field_name in COLOUR_FIELDS:
            return f"{what} should be a colour written as # and six hex digits, like #005EB8.", None
        hint_key = "id" if field_name in ID_FIELDS else field_name
        if hint_key in PATTERN_HINTS:
            text, hint = PATTERN_HINTS[hint_key]
            return f"{what} {text}.", hint
        return f"{what} is not in the expected form ({ctx.get('pattern')}).", None
    if kind in ("list_type", "tuple_type"):
        return f"{what} should be a list.", "Put each entry on its own line, starting with '- '."
    if kind in ("model_type", "dict_type", "model_attributes_type"):
        return f"{what} should be a block of 'key: value' lines.", "Indent its keys under it."
    if kind == "too_short":
        return (f"{what} needs at least {ctx.get('min_length')} entr{'y' if ctx.get('min_length') == 1 else 'ies'}.", None)
    if kind == "too_long":
        return (f"{what} has {ctx.get('actual_length')} entries; at most {ctx.get('max_length')} fit on one page.",
                "Keep the strongest ones.")
    if kind in ("int_type", "int_parsing", "int_from_float"):
        return f"{what} should be a whole number.", None
    if kind in ("float_type", "float_parsing"):
        return f"{what} should be a number.", None
    if kind in ("date_type", "date_parsing", "date_from_datetime_parsing", "date_from_datetime_inexact"):
        return f"{what} should be a date written as YYYY-MM-DD.", "For example 2026-11-27."
    if kind in ("bool_type", "bool_parsing"):
        return f"{what} should be true or false.", None
    if kind == "literal_error":
        return f"{what} should be one of: {ctx.get('expected')}.", None
    if kind == "string_sub_type" or kind == "string_unicode":
        return f"{what} should be text.", None
    if kind in ("greater_than_equal", "less_than_equal", "greater_than", "less_than"):
        return f"{what} is out of range: {error['msg'].lower()}.", None
    if kind == "value_error":
        message = str(ctx.get("error", error["msg"]))
        return f"{message[0].upper()}{message[1:]}.", None
    # Pydantic's own wording may name Python types: keep only its first clause.
    return f"{what} is not valid: {str(error['msg']).split(' [')[0].lower()}.", None


def _allowed_keys(model: type[BaseModel], loc: tuple) -> list[str]:
    """The keys the model (or nested model at loc) accepts."""
    current: Any = model
    for part in loc:
        if isinstance(part, int) or current is None:
            continue
        info = getattr(current, "model_fields", {}).get(part)
        current = _inner_model(info.annotation) if info else None
    if current is None or not hasattr(current, "model_fields"):
        return []
    return [k for k in current.model_fields]


def _inner_model(annotation: Any) -> Any:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in getattr(annotation, "__args__", ()) or ():
        found = _inner_model(arg)
        if found is not None:
            return found
    meta = getattr(annotation, "__origin__", None)
    if meta is not None:
        return _inner_model(meta)
    return None


def _did_you_mean(value: str, options: list[str], prefix: str = "") -> str:
    close = difflib.get_close_matches(value, options, n=3, cutoff=0.5)
    if close:
        return "Did you mean " + " or ".join(f"'{c}'" for c in close) + "?"
    return prefix + ", ".join(options) if options else ""


# --- references between files -----------------------------------------------------------------


def _check_references(project: Project, problems: ProblemList) -> None:
    """Every id one item names must exist (or have been switched off on purpose)."""

    def check(item: Item, key: str, ref: str | None, collection: str, kind: str,
              index: int | None = None) -> None:
        target = getattr(project, collection)
        # An id switched off on purpose, or whose own item is already reported, is not "unknown".
        if ref is None or ref in target or f"{collection}:{ref}" in project.switched_off | project.invalid:
            return
        sub = () if index is None else (index,)
        label = f"{type(item).__name__.lower()} {item.id} › {key}" + (f" › {index}" if index is not None else "")
        problems.add(f"Unknown {kind} id '{ref}'.", item.where(key, *sub), key=label,
                     hint=_did_you_mean(ref, list(target), f"Known {kind} ids: ") or f"No {kind}s are defined.")

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
                    project.settings_where.get(f"audiences.{i}", Location(project.root / SETTINGS_FILE)),
                    key=f"audiences › {i}",
                    hint=_did_you_mean(ref, list(project.audiences), "Known audience ids: "))


def _check_contrast(project: Project, problems: ProblemList) -> None:
    for field_name, colour, other, other_colour, value, minimum, use, better in contrast_failures(project.settings.brand):
        other_label = f"brand.{other}" if not other.startswith("#") else "white"
        problems.add(
            f"Brand colour brand.{field_name} {colour} against {other_label} {other_colour} has contrast "
            f"{value:.2f}:1, below the {minimum:g}:1 that WCAG 2.2 AA needs for {use}.",
            project.settings_where.get(f"brand.{field_name}", Location(project.root / SETTINGS_FILE)),
            key=f"brand.{field_name}",
            hint=(f"The nearest shade that passes is {better}." if better else "Choose a darker or lighter colour."))


def _check_placeholders(project: Project, problems: ProblemList) -> None:
    """Placeholders such as {place.name} must be known, and place ones need places.yaml."""
    known = set(KNOWN_PLACEHOLDERS)
    if project.settings.partnership is None:
        known.discard("partnership.name")
    collections = [project.audiences, project.evidence, project.stories, project.levers, project.quotes]
    for items in collections:
        for item in items.values():
            for path, text in strings_in(item.model_dump()):
                for name in placeholder_names(text):
                    key = str(path[0])
                    label = f"{type(item).__name__.lower()} {item.id} › {'.'.join(str(p) for p in path)}"
                    if name not in known:
                        problems.add(
                            f"Unknown placeholder {{{name}}}.", item.where(key, *path[1:]), key=label,
                            hint=_did_you_mean(name, sorted(known), "Placeholders you can use: ")
                            + " Write {{ and }} for literal braces.")
                    elif name in PLACE_PLACEHOLDERS and not project.places:
                        problems.add(
                            f"{{{name}}} needs a place, but the project has no places.yaml.",
                            item.where(key, *path[1:]), key=label,
                            hint="Add content/places.yaml with at least one place, or write the name out.")
    for name in placeholder_names(project.settings.footer or ""):
        where = project.settings_where.get("footer", Location(project.root / SETTINGS_FILE))
        if name not in known:
            problems.add(f"Unknown placeholder {{{name}}}.", where, key="footer",
                         hint=_did_you_mean(name, sorted(known), "Placeholders you can use: ")
                         + " Write {{ and }} for literal braces.")
        elif name in PLACE_PLACEHOLDERS and not project.places:
            problems.add(f"{{{name}}} needs a place, but the project has no places.yaml.", where,
                         key="footer", hint="Add content/places.yaml with at least one place, or write the name out.")


def _check_output_dir(project: Project, problems: ProblemList) -> None:
    """output.dir comes from the project's own (untrusted) file: it must stay inside the project."""
    try:
        contained_dir(project.root, project.settings.output.dir,
                      project.settings_where.get("output.dir", Location(project.root / SETTINGS_FILE)),
                      "output.dir")
    except MakecaseError as exc:
        problems.extend(exc.problems)


# Fields the templates show through Markdown (the `md` and `md_inline` filters).
MARKDOWN_FIELDS = {"Audience": {"why", "actions", "note"}, "EvidenceItem": {"body", "figure"},
                   "Story": {"did", "helped"}, "Place": {"figures"}}


def _check_markdown(project: Project, problems: ProblemList) -> None:
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
                                 key=f"{type(item).__name__.lower()} {item.id} › {'.'.join(map(str, path))}",
                                 hint=exc.hint)
    footer = project.settings.footer
    if footer:
        try:
            markdown_to_html(footer, inline=True)
        except MarkdownError as exc:
            problems.add(str(exc), project.settings_where.get("footer"), key="footer", hint=exc.hint)


def _check_filled(project: Project, problems: ProblemList) -> None:
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
                        label = f"{type(item).__name__.lower()} {item.id} › {'.'.join(map(str, loc))}"
                        where = f" for {place.name}" if place else ""
                        message, hint = _explain(error, next((str(p) for p in reversed(loc) if isinstance(p, str)), ""),
                                                 type(item), loc)
                        problems.add(f"With placeholders filled{where}: {message[0].lower()}{message[1:]}",
                                     item.where(str(loc[0]), *loc[1:]) if loc else item.where(), key=label,
                                     hint=hint or "Shorten the text around the placeholder.")
                    break


# --- warnings: fine to build, worth a look; --strict makes them errors -------------------------

def _warnings(project: Project) -> list[Problem]:
    warnings: list[Problem] = []
    used = {project.evidence[e].lever for a in project.audiences.values() for e in a.evidence
            if e in project.evidence}
    for lever in project.levers.values():
        if lever.id not in used:
            warnings.append(Problem(f"Lever '{lever.id}' is not used by any audience.", lever.where(),
                                    hint="Add one of its evidence items to an audience, or switch it off with enabled: false."))
    shown = {e for a in project.audiences.values() for e in a.evidence}
    for item in project.evidence.values():
        if item.id not in shown:
            warnings.append(Problem(f"Evidence item '{item.id}' is on no audience's page.", item.where(),
                                    hint="Add its id to an audience's evidence list, or switch it off "
                                         "with enabled: false."))
    for audience in project.audiences.values():
        for i, link in enumerate(audience.signposts):
            if link.url.startswith("https://") and link.checked is None:
                warnings.append(Problem(
                    f"Signpost '{link.text}' has no 'checked' date.", audience.where("signposts", i),
                    key=f"audience {audience.id} › signposts › {i}",
                    hint="Open the link, make sure it still says what the page promises, and add "
                         "'checked: YYYY-MM-DD'."))
    prose = ([(a, k) for a in project.audiences.values() for k in ("key_message", "why")]
             + [(e, "body") for e in project.evidence.values()]
             + [(s, k) for s in project.stories.values() for k in ("did", "helped")])
    for item, key in prose:
        text = getattr(item, key)
        found = plain.sentences(text)
        for sentence in found:
            count = len(plain.words(sentence))
            if count > plain.MAX_SENTENCE_WORDS:
                warnings.append(Problem(
                    f"A sentence of {count} words (plain English keeps them to {plain.MAX_SENTENCE_WORDS} or fewer): "
                    f"\"{sentence[:60]}…\"", item.where(key), key=f"{item.id} › {key}",
                    hint="Split it in two."))
        if len(found) > plain.MAX_PARAGRAPH_SENTENCES:
            warnings.append(Problem(
                f"{len(found)} sentences in one paragraph (plain English keeps to {plain.MAX_PARAGRAPH_SENTENCES}).",
                item.where(key), key=f"{item.id} › {key}", hint="Cut a sentence or move it elsewhere."))
    return warnings
