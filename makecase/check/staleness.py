"""Check stage, freshness: what on a page has gone, or will go, stale.

A pack built a year after its content was written should tell its partnership exactly what to
re-check, not print stale lines. Three things are found:

- an evidence item or story whose `review_by` date has passed;
- a source whose `next_release` has passed (a statistic has a newer edition);
- a dated phrase on the page that has turned into the past: "set for 1 April 2026", "guidance
  for 2025/26", "until March 2026" once that date is behind us.

`makecase check --as-of DATE` asks the question for a day in the future.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from collections.abc import Iterator

from makecase.check.findings import WARNING, Finding
from makecase.page.compose import Briefing

MONTHS = {name.lower(): number for number, name in enumerate(calendar.month_name) if name}
MONTH = "(?:" + "|".join(MONTHS) + ")"
# Words that place a plan, a rule or a promise at a date ("set for", "until", "by the end of").
# ("By 2020, Dorset had..." and "in 2024" are history, so "by" and "in" alone are not among them.)
TRIGGER = r"(?:set for|planned for|due(?: on| in| by)?|expected(?: on| in| by)?|scheduled for|until|till|from|for)"
DATED = re.compile(
    rf"\b(?P<trigger>{TRIGGER})\s+(?:the\s+)?(?:(?:financial\s+)?year\s+)?"
    rf"(?:(?P<day>\d{{1,2}})\s+)?(?:(?P<month>{MONTH})\s+)?"
    rf"(?P<year>20\d\d)(?:\s*(?:/|-|to)\s*(?P<end>20\d\d|\d\d))?\b",
    re.IGNORECASE)


def staleness_findings(briefing: Briefing, page_text: str, today: dt.date) -> list[Finding]:
    """Passed review-by dates and next releases of what is on the page, and its dated phrases."""
    return list(_review_by(briefing, today)) + list(_next_releases(briefing, today)) + [
        Finding(WARNING, "dated-phrase", briefing.slug, message, briefing.audience.where(), hint)
        for message, hint in dated_phrases(page_text, today)]


def glossary_findings(terms, today: dt.date) -> list[Finding]:
    """Dated phrases turned past in the glossary's definitions and what-changed notes, which
    `makecase list glossary` shows and the pages' wording follows."""
    findings = []
    for term in terms:
        for key in ("definition", "since_2020"):
            for message, hint in dated_phrases(getattr(term, key) or "", today):
                findings.append(Finding(WARNING, "dated-phrase", None,
                                        f"Glossary term '{term.id}' ({key}): {message}", term.where(key), hint))
    return findings


def _review_by(briefing: Briefing, today: dt.date) -> Iterator[Finding]:
    dated = [(f"evidence item '{c.item.id}'", c.item) for c in briefing.cases]
    if briefing.story:
        dated.append((f"story '{briefing.story.id}'", briefing.story))
    for label, item in dated:
        review_by = getattr(item, "review_by", None)
        if review_by and review_by < today:
            yield Finding(WARNING, "review-by", briefing.slug,
                          f"The {label} was due to be checked again by {review_by.isoformat()}.",
                          item.where("review_by"),
                          "Check it against its sources (what it says may have changed), update it, "
                          "and set 'reviewed' to today's date and 'review_by' to the next date to check.")


def _next_releases(briefing: Briefing, today: dt.date) -> Iterator[Finding]:
    for case in briefing.cases:
        for index, source in enumerate(case.item.sources):
            if source.next_release and source.next_release < today:
                yield Finding(WARNING, "next-release", briefing.slug,
                              f"'{source.title}' ({source.publisher}), a source of evidence item "
                              f"'{case.item.id}', was due a new release on {source.next_release.isoformat()}.",
                              case.item.where("sources", index, "next_release") or case.item.where("sources"),
                              "Look for the new release; update the figure and words that come from it, "
                              "its 'checked' date and 'next_release'.")


def dated_phrases(text: str, today: dt.date) -> Iterator[tuple[str, str]]:
    """(message, hint) for each phrase that dates a plan or rule to a time now past."""
    text = " ".join(text.split())
    seen = set()
    for match in DATED.finditer(text):
        ended = _end_of(match)
        phrase = " ".join(match.group(0).split())
        if ended is None or ended >= today or phrase.lower() in seen:
            continue
        trigger = match.group("trigger").lower()
        if trigger == "from" and not match.group("day"):
            continue  # "from 2024": history, not a plan
        if trigger in ("for", "until", "till") and not (match.group("end") or match.group("month")):
            continue  # "for 2025", "until 2022": too often a year of data or of history
        if match.group("month") and match.group("end"):
            continue  # "for November 2023-24": a survey's period, not a plan
        seen.add(phrase.lower())
        yield (f"\"{phrase}\" names a date now past ({ended.isoformat()}).",
               "Check whether it happened and say so in the past tense, or say what replaced it; "
               "then set 'reviewed' on the item.")


def _end_of(match: re.Match) -> dt.date | None:
    """The last day a dated phrase refers to: a day, a month's end, or a (financial) year's end."""
    year = int(match.group("year"))
    end = match.group("end")
    try:
        if end:  # 2025/26 or 2025-26: a financial year, ending 31 March of the second year
            end_year = int(end) if len(end) == 4 else (year // 100) * 100 + int(end)
            if end_year != year + 1:
                return None
            return dt.date(end_year, 3, 31)
        month = MONTHS.get((match.group("month") or "").lower())
        if month and match.group("day"):
            return dt.date(year, month, int(match.group("day")))
        if month:
            return dt.date(year, month, calendar.monthrange(year, month)[1])
        return dt.date(year, 12, 31)
    except ValueError:
        return None
