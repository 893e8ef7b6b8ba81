"""Check stage, online: every link on the pages, fetched once, only when `check --links` asks.

Builds never touch the network; this is the one place makecase does, and only with --links.
Each address is asked for once (HEAD, then GET where a server refuses HEAD), following
redirects, with a timeout; a bad link is reported with the content file and line it came from.
"""

from __future__ import annotations

import urllib.error
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from makecase.version import __version__
from makecase.page.compose import Briefing
from makecase.errors import Location
from makecase.check.findings import WARNING, Finding
from makecase.load.project import Project

USER_AGENT = f"makecase/{__version__} (link check; +https://pypi.org/project/makecase/)"


@dataclass(frozen=True)
class LinkUse:
    url: str
    label: str
    where: Location | None


def link_uses(project: Project, briefings: list[Briefing]) -> list[LinkUse]:
    """Every https link the pages carry, with where it was written (each use once)."""
    uses: dict[tuple[str, str], LinkUse] = {}

    def add(url: str | None, label: str, where: Location | None) -> None:
        if url and url.startswith(("http://", "https://")):
            uses.setdefault((url, label), LinkUse(url, label, where))

    for briefing in briefings:
        audience = briefing.audience
        for i, link in enumerate(briefing.signposts):
            add(link.url, f"audience {audience.id} › signposts › {i}",
                audience.where("signposts", i, "url") or audience.where("signposts", i))
        for case in briefing.cases:
            for i, source in enumerate(case.item.sources):
                add(source.url, f"evidence {case.item.id} › sources › {i}",
                    case.item.where("sources", i, "url") or case.item.where("sources", i))
        if briefing.story:
            for i, link in enumerate(briefing.story.links):
                add(link.url, f"story {briefing.story.id} › links › {i}",
                    briefing.story.where("links", i, "url") or briefing.story.where("links", i))
        if briefing.contact and briefing.contact.url:
            add(briefing.contact.url, "contact › url", project.settings_where.get("contact.url"))
        if briefing.partnership and briefing.partnership.url:
            add(briefing.partnership.url, "partnership › url", project.settings_where.get("partnership.url"))
    return list(uses.values())


def fetch_status(url: str, timeout: float) -> str | None:
    """None if the link works; otherwise what went wrong, in a few words."""
    problem = None
    for method in ("HEAD", "GET"):  # some servers refuse HEAD: a refusal is asked again with GET
        request = urllib.request.Request(url, method=method, headers={"User-Agent": USER_AGENT})
        try:
            with urllib.request.urlopen(request, timeout=timeout):  # follows redirects
                return None
        except urllib.error.HTTPError as exc:
            problem = f"HTTP {exc.code} {exc.reason}"
        except urllib.error.URLError as exc:
            timed_out = isinstance(exc.reason, TimeoutError) or "timed out" in str(exc.reason)
            return f"timed out after {timeout:g} s" if timed_out else f"cannot connect ({exc.reason})"
        except TimeoutError:
            return f"timed out after {timeout:g} s"
        except (OSError, ValueError) as exc:
            return f"cannot fetch ({exc})"
    return problem


def check_links(project: Project, briefings: list[Briefing]) -> tuple[int, list[Finding]]:
    """Fetch every link once: how many were fetched, and a finding for each use of a bad one."""
    uses = link_uses(project, briefings)
    urls = sorted({u.url for u in uses})
    timeout = project.settings.check.link_timeout
    with ThreadPoolExecutor(max_workers=8) as pool:
        status = dict(zip(urls, pool.map(lambda u: fetch_status(u, timeout), urls)))
    findings = [Finding(WARNING, "link", None, f"{use.url} ({use.label}): {status[use.url]}.", use.where,
                        "Open it in a browser; if it has moved, put the new address and a new "
                        "'checked' date.")
                for use in uses if status[use.url]]
    return len(urls), findings
