"""The versions of makecase and of what shapes a file's bytes (a leaf: imports nothing of ours
but the version), for the inputs hash of each page (cache.py) and of the whole project
(fingerprint.py), and for the shards' record (shard.py)."""

from __future__ import annotations

from functools import cache
from importlib import metadata

from makecase.version import __version__


@cache
def tool_versions() -> dict[str, str]:
    """makecase's version and the versions of the libraries that shape the files' bytes."""
    versions = {"makecase": __version__}
    for name in ("weasyprint", "pydyf", "pypdfium2", "pillow", "fonttools", "tinycss2", "cssselect2",
                 "pyphen", "segno"):
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = "none"
    # The system's text libraries shape every line: a CI image upgrade must lay pages out again.
    for library in ("pango-1.0", "harfbuzz", "fontconfig"):
        versions[library] = _system_library(library)
    return versions


def _system_library(name: str) -> str:
    """The file the system's shared library resolves to: its full name carries its version
    (libpango-1.0.so.0.5000.12), without loading the library or WeasyPrint."""
    import ctypes.util
    import glob
    import os

    soname = ctypes.util.find_library(name)
    if not soname:
        return "none"
    for folder in ("/usr/lib", "/lib", "/usr/local/lib", *glob.glob("/usr/lib/*-linux-gnu"),
                   *glob.glob("/lib/*-linux-gnu")):
        path = os.path.join(folder, soname)
        if os.path.exists(path):
            return os.path.basename(os.path.realpath(path))
    return soname
