"""Places import, fetching: one Fingertips API export, saved beside the project with its date.

Only `makecase places import --fetch` calls this; a build never does. https only, the default
certificate checks always on (never retried without them), a timeout, a size limit, and a
plain error when the machine is offline. What was fetched is kept in data/ so the same import
can be repeated offline and anyone can see what the figures came from.
"""

from __future__ import annotations

import datetime as dt
import socket
import ssl
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path
from typing import Callable

from makecase.errors import MakecaseError
from makecase.load.fingertips import MAX_BYTES

API = "https://fingertips.phe.org.uk/api/all_data/csv/by_indicator_id"
# Area type 15 is England in Fingertips' API: as the parent, the export holds the chosen
# areas and England's value for comparison. (Fingertips renumbers area types from time to time.)
ENGLAND_AREA_TYPE = 15
TIMEOUT = 60
DATA_DIR = "data"


def export_url(indicators: list[str], area_type_id: int) -> str:
    query = urllib.parse.urlencode({"indicator_ids": ",".join(indicators),
                                    "child_area_type_id": area_type_id,
                                    "parent_area_type_id": ENGLAND_AREA_TYPE})
    return f"{API}?{query}"


class _HttpsOnly(urllib.request.HTTPRedirectHandler):
    """Follow a redirect only to another https address."""

    def redirect_request(self, req, fp, code, msg, headers, newurl):
        if urllib.parse.urlsplit(newurl).scheme != "https":
            raise urllib.error.URLError(f"redirected to a non-https address ({newurl[:80]})")
        return super().redirect_request(req, fp, code, msg, headers, newurl)


def _get(url: str) -> bytes:
    if urllib.parse.urlsplit(url).scheme != "https":
        raise MakecaseError.single(f"Refusing to fetch '{url[:100]}': only https addresses are fetched.")
    context = ssl.create_default_context()  # verifies certificates and host names; never turned off
    opener = urllib.request.build_opener(urllib.request.HTTPSHandler(context=context), _HttpsOnly())
    request = urllib.request.Request(url, headers={"User-Agent": "makecase (places import)"})
    try:
        with opener.open(request, timeout=TIMEOUT) as response:
            data = response.read(MAX_BYTES + 1)
    except urllib.error.HTTPError as exc:
        raise MakecaseError.single(
            f"Fingertips answered {exc.code} {exc.reason} for {url}.",
            hint="Check the indicator ids and the area type id (Fingertips renumbers area types; see "
                 "https://fingertips.phe.org.uk/api/area_types).") from None
    except (urllib.error.URLError, socket.timeout, TimeoutError, ConnectionError, ssl.SSLError) as exc:
        reason = getattr(exc, "reason", exc)
        if isinstance(reason, ssl.SSLCertVerificationError) or isinstance(exc, ssl.SSLError):
            hint = ("The certificate could not be verified, so nothing was fetched. makecase never "
                    "turns the check off: download the export in a browser and import the file.")
        else:
            hint = ("Are you offline? Download the export from fingertips.phe.org.uk in a browser "
                    "and run `makecase places import FILE`.")
        raise MakecaseError.single(f"Could not fetch from Fingertips: {reason}.", hint=hint) from None
    if len(data) > MAX_BYTES:
        raise MakecaseError.single("Fingertips sent more than the import reads from one file.",
                                   hint="Ask for fewer indicators or a smaller area type.")
    return data


def fetch_export(project_dir: Path, indicators: list[str], area_type_id: int,
                 today: dt.date | None = None, get: Callable[[str], bytes] = _get) -> Path:
    """Fetch the export and save it as data/fingertips-DATE-INDICATORS-AREATYPE.csv."""
    if not indicators:
        raise MakecaseError.single("--fetch needs --indicators: which indicators to fetch.",
                                   hint="e.g. makecase places import --fetch --indicators 93015 --area-type-id 502")
    today = today or dt.date.today()
    data = get(export_url(indicators, area_type_id))
    folder = Path(project_dir) / DATA_DIR
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / f"fingertips-{today.isoformat()}-{'-'.join(indicators)}-{area_type_id}.csv"
    temporary = target.with_suffix(".csv.part")
    temporary.write_bytes(data)
    temporary.replace(target)
    return target
