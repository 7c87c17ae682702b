"""Searching archived records: each filter served by its own index, within the caller's scope."""

# GET /v1/records takes at most one of each filter; the most selective one picks the index
# (party card, then document number, organisation, procedure, else the year of archiving),
# the others filter its pages, and every page is limited to the records of the archivist's
# organisation and the ones below it (`rec_scope`). Never a scan. The party-card number is
# personal data: the index holds its HMAC under a KMS key (cloud/keys.KmsMacs), and so
# does a search for it. `next` is opaque and tamper-evident: the position in the index and
# a fingerprint of the filters, under the same key's MAC.

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from functions.access import Principal, organization_chain
from functions.errors import Invalid, Problem
from functions.model import VIETNAM, Case
from functions.pages import MAX_READS, fingerprint, next_token, position_of, read_limit
from functions.query import only_known
from functions.schedule import utc_key
from functions.services import Services

FIRST_YEAR = 2025  # the platform's first archive year: the year index goes back to it
ORIGINAL_FIRST_YEAR = 1930  # the oldest paper record a search by original date reaches
CARD = re.compile(r"[0-9]{8,12}")
FILTERS = (
    "procedure",
    "organization",
    "number",
    "card",
    "archived_from",
    "archived_to",
    "original_from",  # a digitised record's date on paper
    "original_to",
)
PARAMETERS = (*FILTERS, "limit", "next")
MAX_VALUE = 100  # characters of a filter's value


def party_card(case: Case) -> str | None:
    member = case.data.get("member")
    card = member.get("party_card_number") if isinstance(member, dict) else None
    return card if isinstance(card, str) and CARD.fullmatch(card) else None


def card_mac(services: Services, card: str) -> str:
    return services.index.mac(f"party-card:{card}".encode()).hex()


def record_index(
    services: Services,
    record_id: str,
    archived_at: dt.datetime,
    identity: tuple[str, str, str],
    card: str | None = None,
    original_date: str | None = None,
) -> dict[str, Any]:
    """The search attributes of a record (cloud/table.py stores them): its archive time,
    ``identity`` (procedure or document type, organisation, number), the HMAC of the
    member's party card, a digitised record's date on paper, and who may see it."""
    procedure, organization, number = identity
    return {
        "year": str(archived_at.astimezone(dt.UTC).year),
        "at": f"{utc_key(archived_at)}#{record_id}",
        "procedure": procedure,
        "organization": organization,
        "number": number,
        "card": card_mac(services, card) if card else None,
        "original_year": original_date[:4] if original_date else None,
        "original_date": f"{original_date}#{record_id}" if original_date else None,
        "scope": organization_chain(services.cases.get_organization, organization),
    }


def _date(name: str, value: str, problems: list[Problem]) -> dt.date | None:
    if len(value) == 10:  # fromisoformat takes other forms too ("20261130")
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            pass
    problems.append(Problem(f"query.{name}", "not a date (YYYY-MM-DD)"))
    return None


def _read(params: dict[str, str], today: dt.date) -> tuple[dict[str, str], dt.date, dt.date, int]:
    """The filters, the date range (Vietnam time) and the page size; 422 naming each bad one."""
    only_known(params, PARAMETERS)
    problems: list[Problem] = []
    filters = {k: v for k, v in params.items() if k in FILTERS}
    for name, value in filters.items():
        if not value or len(value) > MAX_VALUE:
            problems.append(Problem(f"query.{name}", f"1 to {MAX_VALUE} characters"))
    if "card" in filters and not CARD.fullmatch(filters["card"]):
        problems.append(Problem("query.card", "a party-card number: 8 to 12 digits"))
    start = (
        _date("archived_from", filters["archived_from"], problems)
        if ("archived_from" in filters)
        else dt.date(FIRST_YEAR, 1, 1)
    )
    end = (
        _date("archived_to", filters["archived_to"], problems)
        if ("archived_to" in filters)
        else today
    )
    limit = read_limit(params, problems)
    if start and end and start > end:
        problems.append(Problem("query.archived_to", "before archived_from"))
    for name in ("original_from", "original_to"):
        if name in filters:
            _date(name, filters[name], problems)
    if filters.get("original_from", "") > filters.get("original_to", "9999"):
        problems.append(Problem("query.original_to", "before original_from"))
    if problems:
        raise Invalid("the search is not valid", problems)
    assert start is not None and end is not None
    return filters, start, end, limit


def _bound(day: dt.date, end: bool) -> str:
    moment = dt.datetime.combine(day, dt.time.max if end else dt.time.min, VIETNAM)
    return utc_key(moment.replace(microsecond=0)) + ("#~" if end else "#")


def search_records(
    services: Services, principal: Principal, params: dict[str, str]
) -> dict[str, Any]:
    """A page of the records the archivist may see that match ``params`` (DESIGN.md's search
    page: items newest first, ``next`` or None)."""
    principal.require("archivist")
    scope = principal.organization
    assert scope is not None  # the directory gives every archivist an organisation
    filters, start, end, limit = _read(params, services.clock().astimezone(VIETNAM).date())
    equal = {k: v for k, v in filters.items() if k in ("procedure", "organization", "number")}
    if "card" in filters:
        equal["card"] = card_mac(services, filters["card"])
    filters_print = fingerprint(sorted(filters.items()), scope)
    ranges = {"at": (_bound(start, end=False), _bound(end, end=True))}
    original = "original_from" in filters or "original_to" in filters
    if original:
        paper_first = filters.get("original_from", f"{ORIGINAL_FIRST_YEAR}-01-01")
        paper_last = filters.get("original_to", f"{end.year}-12-31")
        ranges["original_date"] = (paper_first + "#", paper_last + "#~")
    chosen = next((k for k in ("card", "number", "organization", "procedure") if k in equal), None)
    if chosen is not None:
        index, keys = f"records_by_{chosen}", [equal.pop(chosen)]
    elif original:
        index = "records_by_original_date"
        keys = [str(y) for y in range(int(paper_last[:4]), int(paper_first[:4]) - 1, -1)]
    else:
        index = "records_by_year"
        keys = [str(year) for year in range(end.year, start.year - 1, -1)]
    position: dict[str, Any] = {"filters": filters_print, "key": 0, "start": None}
    if "next" in params:
        position = position_of(services, params["next"], filters_print)
    items: list[dict[str, Any]] = []
    reads = 0
    while len(items) < limit and position["key"] < len(keys) and reads < MAX_READS:
        found, last = services.cases.query_records(
            index,
            keys[position["key"]],
            ranges,
            equal,
            scope,
            limit - len(items),
            position["start"],
        )
        reads += 1
        items += [record_view(record) for record in found]  # no download URL: not a read
        position = (
            {**position, "start": last}
            if last
            else {**position, "key": position["key"] + 1, "start": None}
        )
    more = position["key"] < len(keys)
    return {"items": items, "next": next_token(services, position) if more else None}


def record_view(record: dict[str, Any]) -> dict[str, Any]:
    """A record as the API shows it: without its storage location or index values."""
    return {k: v for k, v in record.items() if k not in ("object", "manifest", "index")}
