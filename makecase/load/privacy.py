"""Load stage check: a coded quote never shares a page with a story that could identify its speaker.

The report coded its interviewees to keep them anonymous: N for national stakeholders, L for
local ones. Every local interviewee worked in one of its four case-study areas (Dorset, Essex,
Kirklees and South Tees). Beside a story from one of those areas, a local interviewee's role can
point to one person: "NHS Consultant, L10" next to South Tees's consultant-led pilot all but names
them. So a page may quote a local (L) interviewee only if its story is not from a case-study area
(nor told from the report). National (N) interviewees may be quoted beside any story.
docs/customise.md states the rule for partnerships.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from makecase.errors import Problem
from makecase.load.model import Audience, Place, Quote, Story

if TYPE_CHECKING:  # the Project type only; checks.py imports this module
    from makecase.load.project import Project

CASE_STUDY_AREAS = ("dorset", "essex", "kirklees", "south tees")


def is_local_interviewee(quote: Quote) -> bool:
    return quote.code.startswith("L")


def story_from_case_study(story: Story) -> bool:
    """A story the report tells, or one from an area where the report's local interviewees worked."""
    place = story.place.lower()
    return (story.source is not None and story.source.is_report) or any(
        area in place for area in CASE_STUDY_AREAS)


def identifying_pages(project: Project) -> list[Problem]:
    """Every audience (in every place) whose quote and story together could identify the speaker."""
    problems: list[Problem] = []
    places: list[Place | None] = list(project.places.values()) or [None]
    for audience in project.audiences.values():
        quote = project.quotes.get(audience.quote) if audience.quote else None
        if quote is None or not is_local_interviewee(quote):
            continue
        for place in places:
            from_place = place is not None and place.story is not None
            story_id = place.story if from_place else audience.story
            story = project.stories.get(story_id) if story_id else None
            if story is None or not story_from_case_study(story):
                continue
            problems.append(_problem(audience, quote, story, place if from_place else None))
            if not from_place:
                break  # the same page in every place: say it once
    return problems


def _problem(audience: Audience, quote: Quote, story: Story, place: Place | None) -> Problem:
    where = place.where("story") if place else audience.where("quote")
    on_page = f"the {audience.id} page" + (f" for {place.id}" if place else "")
    return Problem(
        f"On {on_page}, the quote '{quote.id}' ({quote.speaker}, {quote.code}) sits beside the "
        f"story '{story.id}' from {story.place}. The report's local interviewees worked in its "
        "case-study areas, so the story could identify who said it.",
        where, key=f"audience {audience.id} › quote",
        hint="Quote a national interviewee (an N code) on this page, choose a story from another "
             "area, or drop the quote. See 'Quotes and privacy' in docs/customise.md.")
