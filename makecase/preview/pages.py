"""Preview pages: the HTML the preview server sends (index, printed page, problems, not found).

Built as strings from the preview's state; added only to served pages, never to built files.
"""

from __future__ import annotations

import html
from pathlib import Path
from typing import TYPE_CHECKING

from makecase.errors import Location, MakecaseError
from makecase.resources import shown_path

if TYPE_CHECKING:  # serve.py imports this module; the Preview is only a type here
    from makecase.preview.project import Preview

STYLE = """
body { font-family: Arial, 'Liberation Sans', Helvetica, sans-serif; line-height: 1.5; color: #212b32;
       max-width: 72rem; margin: 0 auto; padding: 1rem; }
h1 { font-size: 1.6rem; margin: 0.5rem 0; } h2 { font-size: 1.25rem; margin-top: 1.5rem; }
a { color: #005eb8; } a:focus-visible { outline: 3px solid #ffeb3b; background: #ffeb3b; color: #0b0c0c; }
.cards { display: grid; grid-template-columns: repeat(auto-fill, minmax(15rem, 1fr)); gap: 1.25rem;
         list-style: none; padding: 0; }
.card { border: 1px solid #d8dde0; padding: 0.75rem; border-radius: 4px; }
.card img { width: 100%; height: auto; border: 1px solid #aeb7bd; display: block; }
.nopic { aspect-ratio: 210 / 297; border: 2px dashed #b3261e; color: #b3261e; display: flex; margin: 0;
         align-items: center; justify-content: center; text-align: center; padding: 1rem; box-sizing: border-box; }
.nopic.waiting { border-color: #aeb7bd; color: #4c6272; }
.card h3 { font-size: 1rem; margin: 0.5rem 0 0.25rem; }
.fits { color: #006435; } .over { color: #b3261e; font-weight: bold; }
.status { font-size: 0.9rem; margin: 0.25rem 0; }
.problem { border-left: 6px solid #b3261e; padding: 0.5rem 1rem; margin: 1rem 0; background: #fdf2f1; }
.problem .where { font-family: monospace; font-size: 1rem; font-weight: bold; }
.problem pre { background: #fff; padding: 0.4rem; overflow-x: auto; border: 1px solid #e0c4c1; }
.meta { color: #4c6272; font-size: 0.9rem; }
"""

# Added only to served pages, never to built files: asks the server to say when something
# changed (it holds the request until then), and reloads the tab.
RELOAD_SCRIPT = """<script>
(function () {
  var seen = %d;
  function ask() {
    fetch("/__reload?v=" + seen, {cache: "no-store"})
      .then(function (r) { return r.json(); })
      .then(function (d) { if (d.version !== seen) { location.reload(); } else { ask(); } })
      .catch(function () { setTimeout(ask, 1000); });
  }
  ask();
})();
</script>"""

BAR = """<aside class="makecase-preview" aria-label="Preview" style="position: sticky; bottom: 0;
 background: #fff; color: #212b32; border-top: 3px solid #4c6272; padding: 0.5rem 1rem; font: 0.9rem/1.4 Arial, sans-serif;
 z-index: 10;">
<strong>Preview.</strong> <span class="makecase-fill" role="status">Laying out the printed page…</span>
<span class="makecase-files"><a href="{pdf}">PDF</a> · <a href="{printed}">the printed page</a> · </span><a href="/">all briefings</a>
</aside>
<script>
// The printed page is laid out after this page is shown, so an edit is on screen at once.
fetch("{status}", {{cache: "no-store"}}).then(function (r) {{ return r.json(); }}).then(function (d) {{
  var bar = document.querySelector(".makecase-preview"), fill = bar.querySelector(".makecase-fill");
  fill.textContent = d.summary;
  fill.style.color = bar.style.borderTopColor = d.fits ? "#006435" : "#b3261e";
  if (!d.fits) {{ bar.querySelector(".makecase-files").hidden = true; }}
}}).catch(function () {{}});
</script>"""


# The index is shown at once; each page is laid out in turn, in page order, and its card filled
# in with the picture and how it fits.
INDEX_SCRIPT = """<script>
(function () {
  var cards = Array.prototype.slice.call(document.querySelectorAll(".card"));
  function next() {
    var card = cards.shift();
    if (!card) { return; }
    var slug = card.dataset.slug;
    fetch("/" + slug + ".json", {cache: "no-store"}).then(function (r) { return r.json(); }).then(function (d) {
      var status = card.querySelector(".status"), box = card.querySelector(".nopic");
      status.textContent = d.summary;
      status.classList.add(d.fits ? "fits" : "over");
      if (d.fits) {
        var link = document.createElement("a"), img = document.createElement("img");
        link.href = "/" + slug + ".page";
        img.src = "/" + slug + ".png"; img.alt = card.dataset.alt; img.width = 893; img.height = 1263;
        link.appendChild(img); box.replaceWith(link);
      } else {
        box.classList.remove("waiting");
        box.textContent = "Runs over one page: no PDF until it fits";
        card.querySelector(".files").hidden = true;
      }
    }).catch(function () {}).then(next);
  }
  next();
})();
</script>"""


def _page(title: str, body: str, version: int) -> str:
    return (f'<!DOCTYPE html>\n<html lang="en-GB">\n<head>\n<meta charset="utf-8">\n'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">\n'
            f"<title>{html.escape(title)}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n"
            f"{body}\n{RELOAD_SCRIPT % version}\n</body>\n</html>\n")


def _inject(document: str, extra: str) -> str:
    at = document.rfind("</body>")
    return document[:at] + extra + "\n" + document[at:] if at >= 0 else document + extra


def error_page(error: MakecaseError, root: Path, version: int) -> str:
    """Every problem with file, line, the line itself, what is wrong and how to fix it."""
    items = []
    for problem in error.problems:
        where, quoted = "", ""
        if problem.location is not None:
            loc = problem.location
            shown = Location(Path(shown_path(loc.file, root)), loc.line, loc.column)
            where = f'<p class="where">{html.escape(str(shown))}</p>'
            quoted = _quoted_line(loc)
        items.append(
            f'<li class="problem">{where}<p>{html.escape(problem.message)}</p>{quoted}'
            + (f"<p>At: {html.escape(problem.key)}</p>" if problem.key else "")
            + (f"<p><strong>How to fix:</strong> {html.escape(problem.hint)}</p>" if problem.hint else "")
            + "</li>")
    count = len(error.problems)
    head = error.summary or f"{count} problem{'s' if count != 1 else ''} to fix"
    body = (f"<main><h1>The briefings cannot be built: {html.escape(head.rstrip(':'))}</h1>"
            f'<ul style="list-style: none; padding: 0">{"".join(items)}</ul>'
            f'<p class="meta">Save the file and this page comes back by itself.</p></main>')
    return _page("Problem to fix: makecase preview", body, version)


def _quoted_line(location: Location) -> str:
    if not location.line:
        return ""
    try:
        lines = location.file.read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError):
        return ""
    if not 0 < location.line <= len(lines):
        return ""
    return f"<pre>{location.line:>4} | {html.escape(lines[location.line - 1])}</pre>"


def index_page(preview: Preview, version: int) -> str:
    assert preview.project is not None
    project = preview.project
    name = project.settings.partnership.name if project.settings.partnership else "Default content pack"
    groups: dict[str, list[str]] = {}
    for slug, briefing in preview.briefings.items():
        groups.setdefault(briefing.place.name if briefing.place else "", []).append(slug)
    sections = []
    for place, slugs in groups.items():
        cards = []
        for slug in slugs:
            briefing = preview.briefings[slug]
            alt = html.escape(f"The printed page for {briefing.audience.short_title}", quote=True)
            cards.append(f'<li class="card" id="{html.escape(slug)}" data-slug="{html.escape(slug)}" data-alt="{alt}">'
                         '<p class="nopic waiting">Laying out the printed page…</p>'
                         f"<h3>{html.escape(briefing.audience.title)}</h3>"
                         '<p class="status" role="status">Laying out the printed page…</p>'
                         f'<p><a href="/{slug}.html">Web page</a><span class="files"> · '
                         f'<a href="/{slug}.pdf">PDF</a></span></p></li>')
        heading = f"<h2>{html.escape(place)}</h2>" if place else ""
        sections.append(f'{heading}<ul class="cards">{"".join(cards)}</ul>')
    warnings = ""
    if project.warnings:
        warnings = (f"<details><summary>{len(project.warnings)} warning(s)</summary><ul>"
                    + "".join(f"<li><pre>{html.escape(w.render(project.root))}</pre></li>" for w in project.warnings)
                    + "</ul></details>")
    body = (f"<main><h1>Preview: {html.escape(name)}</h1>"
            f'<p class="meta">{len(preview.briefings)} briefing(s) from {html.escape(str(project.root))}. '
            "Edit and save a file: this page updates by itself.</p>"
            f'{warnings}{"".join(sections)}</main>{INDEX_SCRIPT}')
    return _page(f"Preview: {name}", body, version)


def printed_page(preview: Preview, slug: str, version: int) -> str:
    """The printed page as a picture, large enough to read, with how it fits; reloads on change."""
    _, _, briefing = preview.snapshot(slug)
    page = preview.laid_out(slug)
    name = slug.rsplit("/", 1)[-1]
    title = f"The printed page for {briefing.audience.short_title}" + (
        f" in {briefing.place.name}" if briefing.place else "")
    picture = (f'<img src="{name}.png?k={page.key[:12]}" width="893" height="1263" alt="{html.escape(title)}" '
               'style="max-width: 100%; height: auto; border: 1px solid #aeb7bd; box-shadow: 0 2px 8px #0003">'
               if page.fits else "")
    body = (f"<main><h1>{html.escape(title)}</h1>"
            f'<p class="status {"fits" if page.fits else "over"}" role="status">{html.escape(page.summary())}</p>'
            f'<p><a href="{name}.html">Web page</a>' + (f' · <a href="{name}.pdf">PDF</a>' if page.fits else "")
            + f' · <a href="/">all briefings</a></p>{picture}</main>')
    return _page(title, body, version)


def not_found_page(version: int) -> str:
    body = ('<main><h1>No briefing here</h1><p>The project does not build a page with this address '
            '(an audience or place may have been renamed or switched off). '
            '<a href="/">See all the briefings</a>.</p></main>')
    return _page("Not found: makecase preview", body, version)


def briefing_page(preview: Preview, slug: str, version: int) -> str:
    name = slug.rsplit("/", 1)[-1]
    bar = BAR.format(pdf=f"{name}.pdf", printed=f"{name}.page", status=f"{name}.json")
    return _inject(preview.screen_html(slug), bar + RELOAD_SCRIPT % version)
