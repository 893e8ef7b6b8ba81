"""Starting makecase is quick: the package's face and the CLI's help load no WeasyPrint."""

from __future__ import annotations

import subprocess
import sys


def modules_after(code: str) -> set[str]:
    done = subprocess.run([sys.executable, "-c", code + "\nimport sys; print('\\n'.join(sys.modules))"],
                          capture_output=True, text=True, check=True, timeout=120)
    return set(done.stdout.split())


def test_import_makecase_loads_no_weasyprint_but_build_is_there():
    loaded = modules_after("import makecase; assert callable(makecase.load_project)")
    assert "makecase" in loaded and "weasyprint" not in loaded
    assert "makecase.pack.build" in modules_after("import makecase; assert callable(makecase.build)")


def test_a_build_with_nothing_to_make_loads_no_weasyprint(tmp_path):
    made = modules_after(f"import makecase; makecase.build({str(tmp_path)!r}, audiences=['gps'])")
    assert "weasyprint" in made
    again = modules_after(f"import makecase; assert not makecase.build({str(tmp_path)!r}, audiences=['gps']).documents")
    assert "makecase.pack.build" in again and "weasyprint" not in again and "pypdfium2" not in again


def test_help_and_version_load_no_weasyprint():
    code = ("import sys; from makecase.cli.commands import cli\n"
            "try:\n    cli(['--help'], standalone_mode=False)\nexcept SystemExit:\n    pass")
    assert "weasyprint" not in modules_after(code)
