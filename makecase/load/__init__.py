"""Load stage: YAML files with positions -> one validated Project.

The packaged content is laid under the project's own files by id (layers), every value is
checked against typed models (model, settings), then across files (crosschecks, privacy,
contrast), and the brand's own files are read once (brand_files). Every mistake is a
MakecaseError with file, line and column (messages).

Imports: text/ and the leaves only. The modules other stages may import are listed in
`__all__`; the rest are this stage's own. Nothing is imported here, so importing one module
loads only what it needs.
"""

__all__ = ['loader', 'project', 'model', 'settings', 'messages', 'placeholders', 'contrast', 'brand_files', 'overrides', 'places_import', 'fetch_fingertips']
