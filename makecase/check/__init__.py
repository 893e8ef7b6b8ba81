"""Check stage: checks over built documents, as `makecase check` runs them.

Plain English and figures of each page (page_checks), the PDF's tags read back (pdftags,
pdf), axe-core over the HTML (axe), links online (links), values left from init
(example_values); what they find is a Finding (findings).

Imports: pack/, output/, page/, load/, text/ and the leaves. The modules other stages may import are listed in
`__all__`; the rest are this stage's own. Nothing is imported here, so importing one module
loads only what it needs.
"""

__all__ = ['run']
