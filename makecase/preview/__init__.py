"""Preview stage: `makecase serve`, a live preview calling the same stages as a build.

server answers the browser and watches the files, project keeps the served project laid out
on demand, pages is the HTML it sends.

Imports: pack/, output/, page/, load/, text/ and the leaves. The modules other stages may import are listed in
`__all__`; the rest are this stage's own. Nothing is imported here, so importing one module
loads only what it needs.
"""

__all__ = ['server']
