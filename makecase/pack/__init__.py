"""Pack stage: many briefings in one build.

build chooses what to make, skips the unchanged (cache, fingerprint, manifest), lays pages
out in parallel (workers), splits and joins across CI runners (shard, merge), and makes the
pack-wide files: pack.pdf (combine), the index and manifest.json (outputs) and the report.

Imports: output/, page/, load/, text/ and the leaves. The modules other stages may import are listed in
`__all__`; the rest are this stage's own. Nothing is imported here, so importing one module
loads only what it needs.
"""

__all__ = ['build', 'report', 'fingerprint', 'manifest', 'merge', 'outputs', 'combine', 'workers']
