"""The command line: click commands (commands), what the terminal shows (terminal), shell
completion, and the small commands' own work: list (catalogue), explain, init (scaffold),
schema.

Imports: anything below it. The modules other stages may import are listed in
`__all__`; the rest are this stage's own. Nothing is imported here, so importing one module
loads only what it needs.
"""

__all__ = ['commands']
