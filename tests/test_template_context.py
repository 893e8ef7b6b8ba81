"""Templates see plain data, never objects (issue 17, the critical finding).

A project template is untrusted code. It used to be handed the live Project, whose `root` is a
pathlib.Path: `{{ project.root.joinpath('/etc/passwd').read_text() }}` in templates/index.html
printed a file from outside the project into the page, and `write_text` could plant code.
"""

from __future__ import annotations

import itertools
import re

import jinja2
import pytest
from click.testing import CliRunner

import makecase
from makecase.page import render
from makecase.cli.commands import cli
from makecase.page.template_data import is_plain

OUTSIDE_SECRET = "SECRET-OUTSIDE-THE-PROJECT"


def init(tmp_path):
    root = tmp_path / "project"
    result = CliRunner().invoke(cli, ["init", str(root)])
    assert result.exit_code == 0, result.output
    (tmp_path / "secret.txt").write_text(OUTSIDE_SECRET)
    return root


def with_template(root, name, marker, expression):
    """A copy of the packaged template with one expression added before its marker."""
    from makecase.resources import templates_dir

    text = (templates_dir() / name).read_text(encoding="utf-8")
    assert marker in text
    path = root / "templates" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text.replace(marker, expression + marker, 1), encoding="utf-8")


def build(root, *args):
    result = CliRunner().invoke(cli, ["-C", str(root), "build", *args])
    return result.exit_code, result.output


def test_every_context_handed_to_a_template_is_plain_data(tmp_path, monkeypatch):
    seen = []
    original = render.render_bounded

    def spy(template, context):
        seen.append((template.name, context))
        return original(template, context)

    monkeypatch.setattr(render, "render_bounded", spy)
    root = init(tmp_path)
    (root / "content" / "places.yaml").write_text(
        "places:\n  - id: kirklees\n    name: Kirklees\n", encoding="utf-8")
    makecase.build(root, out=root / "output")
    names = {name for name, _ in seen}
    assert {"briefing.html", "index.html"} <= names
    for name, context in seen:
        for key, value in context.items():
            assert is_plain(value), f"{name} is handed {key!r} holding something other than plain data"


@pytest.mark.parametrize("expression", [
    "{{ project.root.joinpath('" + "{secret}" + "').read_text() }}",
    "{{ project.settings.brand.logo.file.__class__ }}",
    "{{ documents[0].briefing.audience.__class__.__mro__ }}",
    "{{ groups[0][1][0].document.briefing.file_name('pdf') }}",
])
def test_the_index_template_cannot_reach_a_file_or_an_object(tmp_path, expression):
    root = init(tmp_path)
    with_template(root, "index.html", "</footer>", expression.replace("{secret}", str(tmp_path / "secret.txt")))
    code, output = build(root)
    assert code == 2, output
    assert "templates/index.html" in output
    assert "Traceback" not in output
    assert OUTSIDE_SECRET not in output
    index = root / "output" / "index.html"
    assert not index.exists() or OUTSIDE_SECRET not in index.read_text(encoding="utf-8")


def test_a_page_template_reaches_no_method_of_the_briefing(tmp_path):
    root = init(tmp_path)
    with_template(root, "partials/footer.html", "</footer>", "{{ b.reviewed.strftime('%Y') }}")
    code, output = build(root, "-a", "gps", "-f", "html")
    assert code == 2, output
    assert "templates/partials/footer.html" in output and "Traceback" not in output


@pytest.mark.parametrize("expression, words", [
    ("{{ '%300000000d' % 1 }}", "% formatting"),
    ("{{ '%*d' % (300000000, 1) }}", "% formatting"),
    ("{{ '{:>300000000}'.format(1) }}", "str.format"),
    ("{{ '{:>{}}'.format(1, 300000000) }}", "str.format"),
    ("{{ range(30000) | map('center', 1000) | join }}", "range()"),
    ("{{ (['x' | center(1000)] * 10000 * 4) | join }}", "repeating a value"),
    ("{{ (['x' | center(1000)] * 10000) | join }}{{ (['x' | center(1000)] * 10000) | join }}"
     "{{ (['x' | center(1000)] * 10000) | join }}{{ (['x' | center(1000)] * 10000) | join }}", "million characters"),
    ("{% for i in range(9000) %}{{ 'x' | center(1000) }}{{ 'y' | center(1000) }}"
     "{{ 'z' | center(1000) }}{{ 'w' | center(1000) }}{% endfor %}", "million characters"),
])
def test_template_values_too_large_to_build_are_refused_before_they_are_built(tmp_path, expression, words):
    root = init(tmp_path)
    with_template(root, "partials/footer.html", "</footer>", expression)
    code, output = build(root, "-a", "gps", "-f", "html")
    assert code == 2, output
    assert words in output
    # The template and line: the footer itself, or (for output built up over many lines) the
    # line of briefing.html that includes it.
    assert re.search(r"templates/(partials/footer|briefing)\.html:\d+", output), output
    assert "Traceback" not in output


def test_plain_data_keeps_what_the_packaged_templates_show(tmp_path):
    root = init(tmp_path)
    code, output = build(root, "-a", "gps", "-f", "html")
    assert code == 0, output
    page = (root / "output" / "gps.html").read_text(encoding="utf-8")
    assert "Content reviewed " in page  # the month_year filter
    index = (root / "output" / "index.html").read_text(encoding="utf-8")
    assert 'href="gps.html"' in index


def reachable(value, path="", depth=0):
    """Every (expression, value) a template can reach from plain data by attributes and items."""
    yield path, value
    if depth > 6:
        return
    if isinstance(value, dict):
        for key, item in value.items():
            yield from reachable(item, f"{path}[{key!r}]", depth + 1)
    elif isinstance(value, list):
        for index, item in enumerate(value[:2]):
            yield from reachable(item, f"{path}[{index}]", depth + 1)


# Attribute names a template might try on anything: dunders, private names, methods of objects.
PROBES = ["__class__", "__init__", "__globals__", "__dict__", "_TemplateReference__context", "mro",
          "read_text", "write_text", "joinpath", "open", "root", "resolve", "model_fields", "file_name",
          "model_dump", "parent", "gi_frame", "f_globals", "func_globals", "format_map", "append", "update"]


def test_no_expression_over_the_context_reaches_past_plain_data(tmp_path, monkeypatch):
    """A fuzz of attribute expressions over everything reachable from a real context."""
    from makecase.load.project import Project
    from makecase.page.templating import make_environment
    from makecase.page.compose import briefings_for
    from makecase.load.loader import load_project

    root = init(tmp_path)
    project: Project = load_project(root)
    renderer = render.Renderer(project)
    briefing = next(iter(briefings_for(project)))
    context = {"b": render.briefing_data(briefing)}
    env = make_environment(project.template_dirs, project.allowed_dirs, project.limits)
    expressions = [path for path, _ in reachable(context["b"], "b")]
    assert len(expressions) > 100
    reached = []
    for path, probe in itertools.product(expressions[::5], PROBES):
        try:
            value = env.compile_expression(f"({path}).{probe}", undefined_to_none=False)(**context)
        except Exception:  # refused by the sandbox: fine
            continue
        if isinstance(value, jinja2.Undefined):
            continue
        owner = getattr(value, "__qualname__", "").split(".")[0]
        if not is_plain(value) and owner not in ("str", "int", "float", "list", "dict", "Markup"):
            reached.append((path, probe, type(value).__name__))
    assert not reached, reached[:5]
    assert renderer  # the renderer's own filters are made from the same environment
