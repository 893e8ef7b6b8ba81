"""Text helpers every stage may use: plain-English measures and Markdown to sanitised HTML.

Imports: the leaves only (errors, limits). The modules other stages may import are listed in
`__all__`; the rest are this stage's own. Nothing is imported here, so importing one module
loads only what it needs.
"""

__all__ = ['plain_english', 'markdown_html']
