"""Output stage: publishing a build's files all or nothing.

publish replaces the previous set as a whole and removes stale files; journal holds the
lock and the record that lets a killed build be completed; folder says which paths a build
may write or remove.

Imports: the leaves only. The modules other stages may import are listed in
`__all__`; the rest are this stage's own. Nothing is imported here, so importing one module
loads only what it needs.
"""

__all__ = ['publish', 'folder']
