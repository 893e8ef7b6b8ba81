"""Page stage: one briefing, from the Project to one A4 page.

compose picks what goes on the page (where the GP page gets its levers), render and
templating make its HTML in the sandbox from plain data (template_data), fit lays it out with
WeasyPrint and makes it one full A4 page (spacing, weasypatch, weasytags, fetch, layout_watch), document
holds what was made, pictures draws it.

Imports: load/, text/ and the leaves. The modules other stages may import are listed in
`__all__`; the rest are this stage's own. Nothing is imported here, so importing one module
loads only what it needs.
"""

__all__ = ['compose', 'render', 'document', 'fit', 'pictures', 'standalone', 'layout_watch', 'template_data',
           'running']
