"""Messages: pydantic's validation errors, and unknown ids, said in plain English with file and line.

The one home of "unknown id, did you mean": the load stage's reference checks and the build's
--audience/--place selection both ask `did_you_mean` and `checked_ids` here.
"""

from __future__ import annotations

import difflib
import re
from typing import TYPE_CHECKING, Any

from pathlib import Path

from pydantic import BaseModel, ValidationError

from makecase import resources
from makecase.errors import Location, MakecaseError, Problem, shown
from makecase.load.yamlsource import YamlSource

if TYPE_CHECKING:
    from makecase.load.project import Collection


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


def item_problem(error: dict, collection: Collection, item_id: str,
                  key_origin: dict[str, tuple[YamlSource, tuple]],
                  item_origin: tuple[YamlSource, tuple]) -> Problem:
    loc = tuple(error["loc"])
    first = str(loc[0]) if loc else None
    if first is not None and first in key_origin:
        source, path = key_origin[first]
        base = path[:-1]
    else:
        source, base = item_origin
    return problem_from_error(error, source, base, collection.model, f"{collection.key} › {item_id}")


def problem_from_error(error: dict, source: YamlSource, base: tuple, model: type[BaseModel],
                        label: str) -> Problem:
    loc = tuple(error["loc"])
    kind = error["type"]
    path = base + loc
    location = source.where(path, key=(kind == "extra_forbidden"))
    key_label = " › ".join([label, *[str(p) for p in loc]]) if loc else label
    field_name = next((str(p) for p in reversed(loc) if isinstance(p, str)), "")
    message, hint = explain_error(error, field_name, model, loc)
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


# Error kinds whose message needs only the key's name: kinds -> (message after the name, hint).
SIMPLE_KINDS: dict[tuple[str, ...], tuple[str, str | None]] = {
    ("string_type",): ("should be text.", "If it looks like a number, date or yes/no, put it in quotes."),
    ("string_too_short",): ("is empty.", "Write the text, or remove the key if it is optional."),
    ("list_type", "tuple_type"): ("should be a list.", "Put each entry on its own line, starting with '- '."),
    ("model_type", "dict_type", "model_attributes_type"): ("should be a block of 'key: value' lines.",
                                                           "Indent its keys under it."),
    ("int_type", "int_parsing", "int_from_float"): ("should be a whole number.", None),
    ("float_type", "float_parsing"): ("should be a number.", None),
    ("date_type", "date_parsing", "date_from_datetime_parsing", "date_from_datetime_inexact"):
        ("should be a date written as YYYY-MM-DD.", "For example 2026-11-27."),
    ("bool_type", "bool_parsing"): ("should be true or false.", None),
    ("string_sub_type", "string_unicode"): ("should be text.", None),
}
SIMPLE = {kind: said for kinds, said in SIMPLE_KINDS.items() for kind in kinds}


def explain_error(error: dict, field_name: str, model: type[BaseModel], loc: tuple) -> tuple[str, str | None]:
    """One pydantic error as (message, hint) a person who edits YAML can act on."""
    kind = error["type"]
    ctx = error.get("ctx") or {}
    what = f"'{field_name}'" if field_name else "This value"
    if kind in SIMPLE:
        text, hint = SIMPLE[kind]
        return f"{what} {text}", hint
    if kind == "missing":
        return f"Required key '{field_name}' is missing.", f"Add '{field_name}: ...' to this item."
    if kind == "extra_forbidden":
        allowed = allowed_keys(model, loc[:-1])
        return f"Unknown key '{field_name}'.", did_you_mean(field_name, allowed, "Allowed keys here: ")
    if kind == "string_too_long":
        return (f"{what} is too long (at most {ctx.get('max_length')} characters).",
                "Shorten it so it fits its place on the page.")
    if kind == "string_pattern_mismatch":
        return _pattern_problem(what, field_name, ctx)
    if kind == "too_short":
        return (f"{what} needs at least {ctx.get('min_length')} entr{'y' if ctx.get('min_length') == 1 else 'ies'}.", None)
    if kind == "too_long":
        return (f"{what} has {ctx.get('actual_length')} entries; at most {ctx.get('max_length')} fit on one page.",
                "Keep the strongest ones.")
    if kind == "literal_error":
        return f"{what} should be one of: {ctx.get('expected')}.", None
    if kind in ("greater_than_equal", "less_than_equal", "greater_than", "less_than"):
        return f"{what} is out of range: {error['msg'].lower()}.", None
    if kind == "value_error":
        message = str(ctx.get("error", error["msg"]))
        return f"{message[0].upper()}{message[1:]}.", None
    # Pydantic's own wording may name Python types: keep only its first clause.
    return f"{what} is not valid: {str(error['msg']).split(' [')[0].lower()}.", None


def _pattern_problem(what: str, field_name: str, ctx: dict) -> tuple[str, str | None]:
    if field_name in COLOUR_FIELDS:
        return f"{what} should be a colour written as # and six hex digits, like #005EB8.", None
    hint_key = "id" if field_name in ID_FIELDS else field_name
    if hint_key in PATTERN_HINTS:
        text, hint = PATTERN_HINTS[hint_key]
        return f"{what} {text}.", hint
    return f"{what} is not in the expected form ({ctx.get('pattern')}).", None


def allowed_keys(model: type[BaseModel], loc: tuple) -> list[str]:
    """The keys the model (or nested model at loc) accepts."""
    current: Any = model
    for part in loc:
        if isinstance(part, int) or current is None:
            continue
        info = getattr(current, "model_fields", {}).get(part)
        current = inner_model(info.annotation) if info else None
    if current is None or not hasattr(current, "model_fields"):
        return []
    return [k for k in current.model_fields]


def inner_model(annotation: Any) -> Any:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in getattr(annotation, "__args__", ()) or ():
        found = inner_model(arg)
        if found is not None:
            return found
    meta = getattr(annotation, "__origin__", None)
    if meta is not None:
        return inner_model(meta)
    return None


def did_you_mean(value: str, options: list[str], prefix: str = "") -> str:
    close = difflib.get_close_matches(value, options, n=3, cutoff=0.5)
    if close:
        return "Did you mean " + " or ".join(f"'{c}'" for c in close) + "?"
    return prefix + ", ".join(options) if options else ""


def checked_ids(requested: list[str], known: dict, kind: str) -> list[str]:
    """The ids asked for (on the command line or by a script), or one error naming each unknown."""
    problems = [Problem(f"Unknown {kind} '{shown(r)}'.", None,
                        hint=did_you_mean(r[:200], list(known), f"Known {kind}s: ")
                        or f"This project has no {kind}s.")
                for r in requested if r not in known]
    if problems:
        raise MakecaseError(problems)
    return requested


# Where a project overrides each kind of packaged item: its own file and the list it goes in.
OWN_FILES = {"Lever": ("content/evidence.yaml", "levers"), "EvidenceItem": ("content/evidence.yaml", "evidence"),
             "Quote": ("content/evidence.yaml", "quotes"), "Audience": ("content/audiences.yaml", "audiences"),
             "Story": ("content/stories.yaml", "stories"), "GlossaryTerm": ("content/glossary.yaml", "glossary")}


def override_snippet(item: object, lines: list[str]) -> str:
    """The YAML a project writes in its own file to change a packaged item: its list, its id,
    and the given lines (keys, already indented under the item)."""
    _, key = OWN_FILES.get(type(item).__name__, ("content/evidence.yaml", "evidence"))
    return "\n".join([f"{key}:", f"  - id: {getattr(item, 'id', '')}", *(f"    {line}" for line in lines)])


def own_file_problem(root: Path, message: str, location: Location | None, key: str | None,
                     hint: str, item: object, lines: list[str]) -> Problem:
    """A warning said about the project's own files. About packaged content (a file the user
    must not edit, deep in site-packages), it names the packaged line in its short form and
    gives the YAML to write in the project's own file, which it points at instead."""
    packaged = resources.packaged_place(location.file, location.line) if location else None
    if packaged is None:
        return Problem(message, location, key, hint)
    own, _ = OWN_FILES.get(type(item).__name__, ("content/evidence.yaml", "evidence"))
    return Problem(f"{message} (It comes from the {packaged}.)", Location(root / own), key,
                   f"{hint} In {own}, write:\n{override_snippet(item, lines)}")
