"""Render stage helper: the Jinja2 environment, sandboxed, reading only contained template files.

A project may override any packaged template by putting a file of the same name in its own
templates/ folder. Those files come from pull requests, so they are untrusted code:

- they render in Jinja's SandboxedEnvironment, which refuses access to underscore attributes
  (`__class__`, `__globals__`, ...), to functions marked unsafe and to mutating methods of
  built-in types, so a template can read the Briefing it is given but cannot reach Python;
- `*` and `**` may not build huge values, and `range()` is capped by the sandbox;
- each template file must be an ordinary file inside the project (or the package) after
  resolving symlinks, within the file size limit, and UTF-8;
- any template mistake (syntax, an undefined name, a missing include, a refused operation) is
  a MakecaseError with the template's file and line.

What a template may use is documented in docs/security.md.
"""

from __future__ import annotations

import re
import traceback
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import jinja2
import jinja2.bccache
from jinja2.sandbox import ImmutableSandboxedEnvironment
from markupsafe import Markup

from makecase.contain import read_text_contained
from makecase.errors import Location, MakecaseError, shown
from makecase.limits import Limits

MAX_REPEAT = 10_000  # the longest string or list `*` may build in a template
MAX_POWER = 64
MAX_ARGUMENT = 1_000_000  # the longest string or list a template may pass to a macro or function
MAX_WIDTH = 1_000  # the largest number a width-taking filter (center, indent, format...) may get
WIDTH_FILTERS = ("center", "indent", "wordwrap", "truncate", "format", "batch", "slice", "filesizeformat")


class ContainedLoader(jinja2.FileSystemLoader):
    """Searches the template folders in order; reads a file only if it stays inside `roots`."""

    def __init__(self, searchpath: list[Path], roots: list[Path], limits: Limits) -> None:
        super().__init__([str(p) for p in searchpath])
        self.roots = [r.resolve() for r in roots]
        self.limits = limits

    def get_source(self, environment, template):
        pieces = jinja2.loaders.split_template_path(template)
        for folder in self.searchpath:
            path = Path(folder, *pieces)
            if not path.exists() and not path.is_symlink():
                continue
            text = read_text_contained(path, self.roots, max_bytes=self.limits.file_bytes, what="template")
            return text, str(path), lambda: True
        raise jinja2.TemplateNotFound(template)


# What a template may read attributes of: the plain data it is handed (template_data.py) and
# Jinja's own helpers (loop, namespace(), cycler(), joiner(), macros). Nothing else, whatever
# a future context holds: an allow-list, not the default sandbox's deny-list.
PLAIN_TYPES = (str, Markup, int, float, bool, type(None), list, tuple, dict)
JINJA_TYPES = (jinja2.runtime.LoopContext, jinja2.utils.Namespace, jinja2.utils.Cycler,
               jinja2.utils.Joiner, jinja2.runtime.Macro, jinja2.runtime.Undefined)
# `'%300000000d' % 1` or `'{:>300000000}'.format(1)` builds 300 MB: no width past MAX_WIDTH,
# and none taken from the arguments (`%*d`, `{:>{}}`).
PERCENT_SPEC = re.compile(r"%(?:\([^)]*\))?[-+ #0]*(\*|\d+)?(?:\.(\*|\d+))?")
FORMAT_SPEC = re.compile(r"\{[^{}]*?[:!]([^{}]*(?:\{[^{}]*\}[^{}]*)*)\}")


def too_wide(fmt: str) -> bool:
    """True if a % or str.format format string asks for a width or precision past MAX_WIDTH."""
    numbers = [n for match in PERCENT_SPEC.finditer(fmt) for n in match.groups() if n]
    for match in FORMAT_SPEC.finditer(fmt):
        if "{" in match.group(1):
            return True
        numbers += re.findall(r"\d+", match.group(1))
    return any(n == "*" or int(n) > MAX_WIDTH for n in numbers)


MAX_OUTPUT = 32 * 1024 * 1024  # characters one template may write (a page is about 200 KB)


class Sandbox(ImmutableSandboxedEnvironment):
    """The sandbox as an allow-list: attributes of plain data only, no mutation, and `*`, `**`,
    `%`, str.format and every width-taking filter bounded."""

    intercepted_binops = frozenset(["*", "**", "%"])

    def is_safe_attribute(self, obj, attr, value):
        if type(obj) not in PLAIN_TYPES and not isinstance(obj, JINJA_TYPES):
            return False
        return super().is_safe_attribute(obj, attr, value)

    def getattr(self, obj, attribute):
        # A dict's key before its method: a field named `items` or `values` reads as the field.
        if type(obj) is dict and attribute in obj:
            return obj[attribute]
        return super().getattr(obj, attribute)

    def wrap_str_format(self, value):
        wrapped = super().wrap_str_format(value)
        if wrapped is not None and too_wide(str(value.__self__)):
            def refused(*args, **kwargs):
                raise jinja2.sandbox.SecurityError(
                    f"str.format may not take widths above {MAX_WIDTH:,} or widths from its arguments")
            return refused
        return wrapped

    def call_binop(self, context, operator, left, right):
        if operator == "%" and isinstance(left, str) and too_wide(left):
            raise jinja2.sandbox.SecurityError(f"% formatting may not take widths above {MAX_WIDTH:,} "
                                               "or widths from its arguments")
        if operator == "**" and isinstance(right, (int, float)) and abs(right) > MAX_POWER:
            raise jinja2.sandbox.SecurityError(f"a power above {MAX_POWER} is not allowed in templates")
        if operator == "*":
            for seq, times in ((left, right), (right, left)):
                if isinstance(seq, (str, list, tuple)) and isinstance(times, int) and len(seq) * times > MAX_REPEAT:
                    raise jinja2.sandbox.SecurityError(
                        f"repeating a value to more than {MAX_REPEAT:,} items is not allowed in templates")
        return super().call_binop(context, operator, left, right)

    def call(__self, __context, __obj, *args, **kwargs):  # noqa: N805 - Jinja's signature
        # A macro that calls itself with its argument doubled would fill memory in 30 steps.
        for value in (*args, *kwargs.values()):
            if isinstance(value, (str, list, tuple)) and len(value) > MAX_ARGUMENT:
                raise jinja2.sandbox.SecurityError(
                    f"passing a value of more than {MAX_ARGUMENT:,} characters or items is not allowed in templates")
        return super().call(__context, __obj, *args, **kwargs)


def _bounded(name: str, function):
    """A width-taking filter that refuses widths no page needs (`'x'|center(10**9)` is 1 GB)."""

    def bounded(*args, **kwargs):
        for value in (*args[1:], *kwargs.values()):
            if isinstance(value, int) and not isinstance(value, bool) and abs(value) > MAX_WIDTH:
                raise jinja2.sandbox.SecurityError(f"the {name} filter may not take numbers above {MAX_WIDTH:,}")
        if name == "format" and args and isinstance(args[0], str) and too_wide(args[0]):
            raise jinja2.sandbox.SecurityError(f"the format filter may not take widths above {MAX_WIDTH:,}")
        return function(*args, **kwargs)

    for attribute in ("jinja_pass_arg",):  # keep Jinja's context/eval-context markers
        if hasattr(function, attribute):
            setattr(bounded, attribute, getattr(function, attribute))
    return bounded


MAX_RANGE = 10_000  # range() in a template (Jinja's sandbox allows 100,000)


def bounded_range(*args: int) -> range:
    numbers = range(*args)
    if len(numbers) > MAX_RANGE:
        raise jinja2.sandbox.SecurityError(f"range() in a template may give at most {MAX_RANGE:,} numbers")
    return numbers


def _bounded_join(join):
    """join, refusing to build a text longer than a template may write."""

    def bounded(eval_ctx, value, d="", attribute=None):
        items, size = [], 0
        for item in value:
            items.append(item)
            size += len(str(item)) if not isinstance(item, str) else len(item)
            if size > MAX_OUTPUT:
                raise jinja2.sandbox.SecurityError(
                    f"a template may write at most {MAX_OUTPUT // (1024 * 1024)} million characters")
        return join(eval_ctx, items, d, attribute)

    bounded.jinja_pass_arg = join.jinja_pass_arg
    return bounded


class _CompiledTemplates(jinja2.BytecodeCache):
    """Compiled templates kept in memory for the process, keyed by file name and source checksum:
    compiling the templates costs more than rendering a page, and every build, test and worker
    makes its own environment. All environments here are the same Sandbox, so code is shared safely."""

    def __init__(self) -> None:
        self.store: dict[str, bytes] = {}

    def load_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        code = self.store.get(bucket.key)
        if code is not None:
            bucket.bytecode_from_string(code)  # ignored if the source's checksum changed

    def dump_bytecode(self, bucket: jinja2.bccache.Bucket) -> None:
        self.store[bucket.key] = bucket.bytecode_to_string()


_COMPILED = _CompiledTemplates()


def make_environment(template_dirs: list[Path], roots: list[Path], limits: Limits) -> Sandbox:
    env = Sandbox(
        loader=ContainedLoader(template_dirs, roots, limits),
        bytecode_cache=_COMPILED,
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    for name in WIDTH_FILTERS:
        env.filters[name] = _bounded(name, env.filters[name])
    env.globals["range"] = bounded_range
    env.filters["join"] = _bounded_join(env.filters["join"])
    env.globals.pop("lipsum", None)  # generates text by the megabyte on request; no page needs it
    return env


def render_bounded(template: jinja2.Template, context: dict) -> str:
    """The template's text, stopped as soon as it passes MAX_OUTPUT characters (not after a loop
    has filled memory)."""
    parts, size = [], 0
    pieces = template.generate(context)
    for part in pieces:
        size += len(part)
        if size > MAX_OUTPUT:
            # Thrown in where the template stands, so the error names its file and line.
            pieces.throw(jinja2.sandbox.SecurityError(
                f"a template may write at most {MAX_OUTPUT // (1024 * 1024)} million characters"))
        parts.append(part)
    return "".join(parts)


@contextmanager
def template_errors(name: str) -> Iterator[None]:
    """Turn a template's mistake into a MakecaseError naming its file and line."""
    try:
        yield
    except MakecaseError:
        raise
    except jinja2.TemplateSyntaxError as exc:
        where = Location(Path(exc.filename), exc.lineno) if exc.filename else Location(Path(name), exc.lineno)
        raise MakecaseError.single(f"Template syntax error: {_sentence(exc.message)}.", where,
                                   hint="Check the {{ }} and {% %} tags on this line against the "
                                        "packaged template of the same name.") from None
    except jinja2.TemplateNotFound as exc:
        raise MakecaseError.single(
            f"The template '{shown(exc.name)}' was not found.", _template_frame(exc) or Location(Path(name)),
            hint="Check the name in {% include %} or {% extends %}; project templates live in "
                 "templates/ and override the packaged ones file by file.") from None
    except jinja2.UndefinedError as exc:
        raise MakecaseError.single(
            f"Template error: {_sentence(exc.message)}.", _template_frame(exc) or Location(Path(name)),
            hint="A template may use only the names makecase passes (see docs/security.md).") from None
    except jinja2.sandbox.SecurityError as exc:
        raise MakecaseError.single(
            f"Template refused: {_sentence(exc)}.", _template_frame(exc) or Location(Path(name)),
            hint="Templates render in a sandbox: they may show the page's content, not run code.") from None
    except (TypeError, ValueError, AttributeError, KeyError, IndexError, ZeroDivisionError,
            OverflowError, RecursionError) as exc:
        where = _template_frame(exc)
        if where is None:  # not in a template: a bug in makecase, shown as one
            raise
        raise MakecaseError.single(
            f"Template error: {type(exc).__name__.replace('Error', ' error').strip().lower()}: "
            f"{_sentence(exc)}.", where, hint="Check the expression on this line.") from None


def _sentence(value: object) -> str:
    return shown(value, 200).rstrip(".")


def _template_frame(exc: BaseException) -> Location | None:
    """The innermost template file and line in a traceback (Jinja rewrites frames to name them)."""
    found = None
    for frame, line in traceback.walk_tb(exc.__traceback__):
        filename = frame.f_code.co_filename
        if filename.endswith((".html", ".css", ".j2", ".jinja")) and Path(filename).exists():
            found = Location(Path(filename), line)
    return found
