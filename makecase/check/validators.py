"""Check stage, independent validators: every built PDF through a PDF/UA-1 checker that is not ours.

makecase's own tag checks (pdf.py) know what makecase writes; a validator written by someone
else, against the standard, catches what they do not think to look for. page-validation
(PyPI, MIT) is a small self-contained wheel with no JVM: Python bindings to `page`, a checker
of PDF/UA-1 and PDF/A that its author runs against veraPDF's test corpus. It is in the `check`
and `test` extras; without it `makecase check` says it was skipped.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

PROFILE = "ua1"  # PDF/UA-1
NAME = "page-validation"


class ValidatorMissing(Exception):
    """The validator is not installed."""


@dataclass(frozen=True)
class Failure:
    """One rule the PDF breaks, as the validator words it, and how many times."""

    rule: str
    message: str
    count: int

    def sentence(self) -> str:
        times = f" ({self.count} times)" if self.count > 1 else ""
        return f"{self.message[0].upper()}{self.message[1:]}{times} [{self.rule}]."


def version() -> str:
    """The validator's version; raises ValidatorMissing when it is not installed."""
    try:
        import page
    except ImportError:
        raise ValidatorMissing(f'{NAME} is not installed (pip install "makecase[check]")') from None
    return str(page.__version__)


def validate(pdf_bytes: bytes) -> list[Failure]:
    """What the validator finds wrong with one PDF under PDF/UA-1; [] when it is compliant."""
    version()
    import page

    try:
        report = page.validate_pdf_bytes(pdf_bytes, profile=PROFILE)
    except page.PageError as exc:
        return [Failure("unreadable", f"the validator could not read the PDF: {exc}", 1)]
    if report.is_compliant:
        return []
    counts = Counter((failure.rule_id, failure.message) for failure in report.failures)
    return [Failure(rule, message, count) for (rule, message), count in counts.items()]
