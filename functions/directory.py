"""The directory admins keep: organisations and people, each change recorded (who, when,
before, after) in the same write as the change.

The directory, not the token, decides a person's role, organisation and status on every
request (functions/access.py), so a change here counts from the next request on. A person's
account in the user pool follows: created with a temporary password (or an e-mailed
invitation) when the person is added, disabled when they are suspended or removed.
"""

from __future__ import annotations

import hashlib
import logging
import re
from typing import Any

from functions.access import ACTIVE, Principal
from functions.errors import (
    Conflict,
    Forbidden,
    Invalid,
    NotFound,
    Problem,
    Refused,
    Unavailable,
)
from functions.intake import step_organizations
from functions.limits import json_object, unknown_fields
from functions.model import VIETNAM
from functions.pages import fingerprint, next_token, position_of
from functions.schedule import iso
from functions.services import Services
from functions.sign import signature_box
from functions.text import normalize

log = logging.getLogger(__name__)

ORGANIZATION_CODE = re.compile(r"[a-z0-9](?:[a-z0-9-]{0,62}[a-z0-9])?")
USERNAME = re.compile(r"[a-z0-9](?:[a-z0-9._-]{1,62}[a-z0-9])")
EMAIL = re.compile(r"[^@\s]{1,64}@[^@\s]{1,190}\.[^@\s]{2,63}")
SUSPENDED = "suspended"
STATUSES = (ACTIVE, SUSPENDED)
PERSON_ROLES = ("officer", "archivist")  # what an admin may make a person (admins come with
# the deployment: an admin cannot make, demote or suspend an admin)
MAX_CHANGES = 100
MAX_NAME = 200
MAX_SHORT = 40
# What the directory keeps beside what an admin writes: keys and certificates, registered
# through their own routes, kept when an entry is written again.
ORGANIZATION_KEYS = ("seal_key_id", "seal_certificate_chain")
OFFICER_KEYS = ("key_id", "certificate_chain")
KEPT = ("pending_key_id", "token_certificate_chain")


def organization_key(code: str) -> str:
    return f"ORG#{code}"


def person_key(username: str) -> str:
    return f"OFFICER#{username}"


# --- organisations ---------------------------------------------------------------------------


def organization_view(entry: dict[str, Any]) -> dict[str, Any]:
    """An organisation as the API shows it (no key ids)."""
    return {
        "code": entry["code"],
        "name": entry["name"],
        "parent": entry.get("parent"),
        "parent_name": entry.get("parent_name"),
        "symbol": entry["symbol"],
        "place": entry["place"],
        "seal": bool(entry.get("seal")),
        "seal_certificate": bool(entry.get("seal_certificate_chain")),
        "key_pending": bool(entry.get("pending_key_id")),
        "signatory": entry["signatory"],
        "version": entry.get("version", 0),
    }


def get_organization(services: Services, principal: Principal, code: str) -> dict[str, Any]:
    """An organisation of the directory (any signed-in caller: it is printed on documents)."""
    entry = services.cases.get_organization(_path_code(code))
    if entry is None:
        raise NotFound(f"organisation {code} does not exist")
    return organization_view(entry)


def put_organization(
    services: Services, principal: Principal, code: str, body: Any
) -> tuple[dict[str, Any], bool]:
    """Create or replace an organisation (admin); (its view, whether it is new).

    Checked before it is saved: its parent exists and is not below it, and every procedure
    it may issue places each step's signature box in the document its signatory block
    makes (otherwise signing would fail later, 409, with nothing the officer can do)."""
    principal.require("admin")
    code = _path_code(code)
    fields = _organization_fields(body)
    before = services.cases.get_organization(code)
    after = {
        **{k: before[k] for k in (*ORGANIZATION_KEYS, *KEPT) if before and k in before},
        **fields,
        "code": code,
        "version": _version(before) + 1,
    }
    _check_parent(services, code, after.get("parent"))
    _check_placement(services, after)
    _save(services, principal, organization_key(code), before, after)
    return organization_view(after), before is None


def _organization_fields(body: Any) -> dict[str, Any]:
    problems: list[Problem] = []
    body = _object(body, ("name", "parent_name", "place", "symbol", "signatory"), problems)
    fields: dict[str, Any] = {}
    for name in ("name", "parent_name", "place"):
        fields[name] = _text(body, name, problems, MAX_NAME)
    fields["symbol"] = _text(body, "symbol", problems, MAX_SHORT)
    parent = body.get("parent")
    if parent is not None and not (isinstance(parent, str) and ORGANIZATION_CODE.fullmatch(parent)):
        problems.append(Problem("parent", "an organisation code (a-z, 0-9, -) or null"))
    fields["parent"] = parent
    if not isinstance(body.get("seal"), bool):
        problems.append(Problem("seal", "required: true or false"))
    fields["seal"] = body.get("seal")
    signatory = body.get("signatory")
    if not isinstance(signatory, dict):
        problems.append(Problem("signatory", "required: {heading, position, name}"))
        signatory = {}
    fields["signatory"] = {
        name: _text(signatory, name, problems, MAX_NAME, f"signatory.{name}")
        for name in ("heading", "position", "name")
    }
    problems += unknown_fields(signatory, fields["signatory"], "signatory.")
    problems += unknown_fields(body, fields)
    if problems:
        raise Invalid("the organisation is not valid", problems)
    return fields


def _check_parent(services: Services, code: str, parent: str | None) -> None:
    seen = [code]
    while parent is not None:
        if parent in seen:
            raise Invalid(
                "the organisation is not valid",
                [Problem("parent", f"{parent!r} is {code!r} or below it: a loop")],
            )
        entry = services.cases.get_organization(parent)
        if entry is None:
            raise Invalid(
                "the organisation is not valid",
                [Problem("parent", f"no organisation {parent!r} in the directory")],
            )
        seen.append(parent)
        parent = entry.get("parent")


def _check_placement(services: Services, organization: dict[str, Any]) -> None:
    """Render each procedure ``organization`` may issue (its example data) and place every
    step's signature box, as signing will; Invalid naming the procedures that fail."""
    from templates.renderer import document_context, render_pdf

    problems: list[Problem] = []
    today = services.clock().astimezone(VIETNAM).date()
    for procedure in services.catalogue.all():
        try:
            targets = step_organizations(services, procedure, organization, planned=True)
        except Invalid:
            continue  # it cannot issue this one (no parent, no seal): nothing to place
        number = f"1-{procedure.number_symbol}/{organization['symbol']}"
        context = document_context(
            procedure, procedure.example, organization, targets, number, today
        )
        pdf = render_pdf(procedure, context).pdf
        for index, step in enumerate(procedure.steps):
            try:
                signature_box(pdf, step.appearance)
            except Refused as error:
                problems.append(
                    Problem(
                        "signatory.heading",
                        f"{procedure.code} step {index + 1}: {error.message}",
                    )
                )
    if problems:
        raise Invalid("the organisation's documents would have no place for a signature", problems)


# --- people ------------------------------------------------------------------------------------


def person_view(entry: dict[str, Any]) -> dict[str, Any]:
    """A person as the API shows it: no key id, the certificate as its fingerprint."""
    chain = entry.get("certificate_chain")
    return {
        "username": entry["username"],
        "organization": entry.get("organization"),
        "position": entry.get("position"),
        "display_name": entry.get("display_name"),
        "role": entry.get("role"),
        "status": entry.get("status"),
        "certificate": _fingerprint(chain) if chain else None,
        "token_certificate": (
            _fingerprint(entry["token_certificate_chain"])
            if entry.get("token_certificate_chain")
            else None
        ),
        "key_pending": bool(entry.get("pending_key_id")),
        "version": entry.get("version", 0),
    }


DIRECTORY_PAGE = 100  # entries a page of the directory's listing


def list_directory(
    services: Services, principal: Principal, kind: str, after: str | None = None
) -> dict[str, Any]:
    """A page of the directory (admins): its organisations or its people (``kind``), in
    key order, as the API shows each; ``next`` (a signed page token) or None."""
    principal.require("admin")
    views = {"organization": organization_view, "person": person_view}
    if kind not in views:
        raise Invalid("not a kind of entry", [Problem("kind", "organization or person")])
    listing = fingerprint("directory", kind)
    start = position_of(services, after, listing)["start"] if after else None
    found, last = services.cases.directory_entries(kind, DIRECTORY_PAGE, start)
    token = next_token(services, {"filters": listing, "start": last}) if last else None
    return {"items": [views[kind](entry) for entry in found], "next": token}


def get_person(services: Services, principal: Principal, username: str) -> dict[str, Any]:
    principal.require("admin")
    entry = services.cases.get_officer(_path_username(username))
    if entry is None:
        raise NotFound(f"{username} is not in the directory")
    return person_view(entry)


def put_person(
    services: Services, principal: Principal, username: str, body: Any
) -> tuple[dict[str, Any], bool]:
    """Create or change a person (admin); (their view, whether they are new). A new person
    also gets an account in the user pool: with ``email``, Cognito mails the invitation;
    without, the view carries ``temporary_password`` (this once) for the admin to hand over.
    Either way the first sign-in must set a new password."""
    principal.require("admin")
    username = _path_username(username)
    fields, email = _person_fields(services, body)
    before = services.cases.get_officer(username)
    _not_an_admin(before)
    after = {
        **{k: before[k] for k in (*OFFICER_KEYS, *KEPT) if before and k in before},
        **fields,
        "username": username,
        "version": _version(before) + 1,
    }
    view = person_view(after)
    if before is None:
        # the account first: a directory entry without one is harmless, and so is the reverse
        password = services.users.create(username, fields["role"], email)
        _save(services, principal, person_key(username), None, after)
        return ({**view, "temporary_password": password} if password else view), True
    if email is not None:
        raise Invalid("the person is not valid", [Problem("email", "only when a person is added")])
    if _changed(before, after):
        # the directory first: it decides every request from now on, whatever the pool says
        _save(services, principal, person_key(username), before, after)
    else:
        view["version"] = before.get("version", 0)
    if before.get("role") != fields["role"]:
        services.users.set_role(username, before.get("role"), fields["role"])
    if fields["status"] == ACTIVE:
        services.users.enable(username)
    else:
        services.users.disable(username)
    return view, False


def delete_person(services: Services, principal: Principal, username: str) -> None:
    """Remove a person from the directory (at once) and disable their account."""
    principal.require("admin")
    username = _path_username(username)
    before = services.cases.get_officer(username)
    if before is None:
        raise NotFound(f"{username} is not in the directory")
    _not_an_admin(before)
    _save(services, principal, person_key(username), before, None)
    services.users.disable(username)


def _person_fields(services: Services, body: Any) -> tuple[dict[str, Any], str | None]:
    problems: list[Problem] = []
    body = _object(body, ("position", "display_name"), problems)
    fields: dict[str, Any] = {
        "organization": body.get("organization"),
        "position": _text(body, "position", problems, MAX_NAME),
        "display_name": _text(body, "display_name", problems, MAX_NAME),
        "role": body.get("role"),
        "status": body.get("status", ACTIVE),
    }
    organization = fields["organization"]
    if not (isinstance(organization, str) and ORGANIZATION_CODE.fullmatch(organization)):
        problems.append(Problem("organization", "required: an organisation code"))
    elif services.cases.get_organization(organization) is None:
        problems.append(
            Problem("organization", f"no organisation {organization!r} in the directory")
        )
    if fields["role"] not in PERSON_ROLES:
        problems.append(Problem("role", f"required: one of {', '.join(PERSON_ROLES)}"))
    if fields["status"] not in STATUSES:
        problems.append(Problem("status", f"one of {', '.join(STATUSES)}"))
    email = body.get("email")
    if email is not None and not (isinstance(email, str) and EMAIL.fullmatch(email)):
        problems.append(Problem("email", "an e-mail address, for the invitation"))
    problems += unknown_fields(body, (*fields, "email"))
    if problems:
        raise Invalid("the person is not valid", problems)
    return fields, email


def _not_an_admin(entry: dict[str, Any] | None) -> None:
    if entry is not None and entry.get("role") not in PERSON_ROLES:
        raise Forbidden("admins come with the deployment; they are not changed through the API")


# --- signing keys --------------------------------------------------------------------------


HELD_BY = ("platform", "officer")  # where the key of an imported certificate lives


def new_signing_key(services: Services, principal: Principal, key: str) -> dict[str, Any]:
    """A new platform-held key for the directory entry ``key`` (an officer's signature, an
    organisation's seal) and a PKCS#10 request for it, signed through the key service, to
    send to the CA. The key signs nothing until its certificate is imported; until then
    the entry keeps signing with the key it had."""
    from signing.certificates import signing_request

    principal.require("admin")
    before, is_organization = _signing_entry(services, key)
    if is_organization and not before.get("seal"):
        raise Conflict(f"{before['code']} has no seal (set seal to true first)")
    if not is_organization and before.get("role") != "officer":
        raise Conflict(f"{before['username']} is not an officer; only officers sign")
    if is_organization:
        common_name = organization_name = before["name"]
    else:
        organization = services.cases.get_organization(str(before.get("organization")))
        common_name = before.get("display_name") or before["username"]
        organization_name = (
            organization["name"] if organization else str(before.get("organization"))
        )
    key_id = services.keys.create_signing_key(f"hoso {key}")
    request = signing_request(
        services.keys.public_key_der(key_id),
        common_name,
        organization_name,
        services.keys.raw_signer(key_id),
    )
    after = {**before, "pending_key_id": key_id, "version": _version(before) + 1}
    _save(services, principal, key, before, after)
    abandoned = before.get("pending_key_id")
    if abandoned:
        _retire(services, str(abandoned))  # a request sent earlier that will not be used
    return {"certificate_request": request}


def _retire(services: Services, key_id: str) -> None:
    """Schedule a key no entry uses any more for deletion (best effort: an outage leaves
    it, unused, for an operator)."""
    try:
        services.keys.retire(key_id)
    except Unavailable as error:
        log.warning(
            "key %s is unused and stays until an operator removes it: %s", key_id, error.message
        )


def import_certificate(
    services: Services, principal: Principal, key: str, body: Any
) -> dict[str, Any]:
    """Import the chain the CA issued (PEM, signer first) for the entry ``key``.

    ``held_by`` "platform" (the default): the certificate must be for the entry's new key
    (or the one it has), which then signs. "officer": an officer's own key, on a token;
    the platform keeps the certificate to check the signatures made with it. Either way
    the chain must reach a trust anchor of the stage, be valid now and allow
    digitalSignature and nonRepudiation; otherwise 422 and nothing changes."""
    from signing.certificates import ChainRefused, check_signing_chain, parse_chain

    principal.require("admin")
    before, is_organization = _signing_entry(services, key)
    body = json_object(body)
    problems = unknown_fields(body, ("certificate_chain", "held_by"))
    chain = pem_chain_field(body.get("certificate_chain"), problems)
    held_by = body.get("held_by", "platform")
    if held_by not in HELD_BY or (is_organization and held_by != "platform"):
        problems.append(Problem("held_by", "platform, or officer for an officer's own token"))
    if problems:
        raise Invalid("the certificate is not valid", problems)
    try:
        certificates = parse_chain(chain)
        check_signing_chain(certificates, services.trust.roots(), services.clock())
    except ChainRefused as error:
        raise Invalid(
            "the certificate is refused", [Problem("certificate_chain", error.problem)]
        ) from error
    after = {**before, "version": _version(before) + 1}
    if held_by == "officer":
        after["token_certificate_chain"] = chain
    else:
        key_field, chain_field = ORGANIZATION_KEYS if is_organization else OFFICER_KEYS
        candidates = [k for k in (before.get("pending_key_id"), before.get(key_field)) if k]
        signer_key = certificates[0].public_key.dump()
        matching = [k for k in candidates if services.keys.public_key_der(k) == signer_key]
        if not matching:
            raise Invalid(
                "the certificate is refused",
                [
                    Problem(
                        "certificate_chain", "the certificate is for another key than this entry's"
                    )
                ],
            )
        after[key_field], after[chain_field] = matching[0], chain
        if after.get("pending_key_id") == matching[0]:
            del after["pending_key_id"]
    _save(services, principal, key, before, after)
    return organization_view(after) if is_organization else person_view(after)


def pem_chain_field(value: Any, problems: list[Problem]) -> list[str]:
    """A request's ``certificate_chain``: PEM certificates, signer first; a problem naming
    the field otherwise (and an empty chain)."""
    from signing.certificates import ChainRefused, parse_chain

    if not (isinstance(value, list) and value and all(isinstance(c, str) for c in value)):
        problems.append(Problem("certificate_chain", "required: PEM certificates, signer first"))
        return []
    try:
        parse_chain(value)
    except ChainRefused as error:
        problems.append(Problem("certificate_chain", error.problem))
        return []
    return [str(c) for c in value]


def _signing_entry(services: Services, key: str) -> tuple[dict[str, Any], bool]:
    """The entry ``key`` names (NotFound if there is none) and whether it is an organisation."""
    kind, name = key.split("#", 1)
    is_organization = kind == "ORG"
    entry = (
        services.cases.get_organization(_path_code(name))
        if is_organization
        else services.cases.get_officer(_path_username(name))
    )
    if entry is None:
        raise NotFound(f"{name} is not in the directory")
    return entry, is_organization


# --- history -------------------------------------------------------------------------------


def organization_changes(services: Services, principal: Principal, code: str) -> dict[str, Any]:
    principal.require("admin")
    changes = services.cases.directory_changes(organization_key(_path_code(code)), MAX_CHANGES)
    return {"changes": changes}


def person_changes(services: Services, principal: Principal, username: str) -> dict[str, Any]:
    principal.require("admin")
    changes = services.cases.directory_changes(person_key(_path_username(username)), MAX_CHANGES)
    return {"changes": changes}


def _save(
    services: Services,
    principal: Principal,
    key: str,
    before: dict[str, Any] | None,
    after: dict[str, Any] | None,
) -> None:
    """Write ``after`` (None: remove the entry) in place of ``before``, with its change."""
    change = {
        "subject": key,
        "at": iso(services.clock()),
        "by": principal.username,
        "action": "created" if before is None else "removed" if after is None else "changed",
        "before": _for_history(before),
        "after": _for_history(after),
    }
    expected = None if before is None else _version(before)
    try:
        services.cases.save_directory_entry(key, after, expected, change)
    except Conflict as error:
        raise Conflict(
            f"{key.split('#', 1)[1]} was changed meanwhile; read it and try again"
        ) from error


def _for_history(entry: dict[str, Any] | None) -> dict[str, Any] | None:
    """An entry as the history keeps it: certificate chains as the signer's fingerprint."""
    if entry is None:
        return None
    kept = dict(entry)
    for name in ("certificate_chain", "seal_certificate_chain", "token_certificate_chain"):
        if kept.get(name):
            kept[name] = _fingerprint(kept[name])
    return kept


def _fingerprint(chain: list[str]) -> str:
    """The SHA-256 of the signer's certificate (the first of ``chain``), as PEM text."""
    return hashlib.sha256(chain[0].encode("ascii")).hexdigest()


def _version(entry: dict[str, Any] | None) -> int:
    return int(entry.get("version", 0)) if entry else 0


def _changed(before: dict[str, Any], after: dict[str, Any]) -> bool:
    return {k: v for k, v in before.items() if k != "version"} != {
        k: v for k, v in after.items() if k != "version"
    }


# --- reading a request ---------------------------------------------------------------------


def _path_code(code: str) -> str:
    if not ORGANIZATION_CODE.fullmatch(code):
        raise NotFound(f"organisation {code[:64]} does not exist")
    return code


def _path_username(username: str) -> str:
    if not USERNAME.fullmatch(username):
        raise NotFound(f"{username[:64]} is not in the directory")
    return username


def _object(body: Any, texts: tuple[str, ...], problems: list[Problem]) -> dict[str, Any]:
    """``body``, a JSON object, with its fields ``texts`` judged as Vietnamese text (the
    others are codes: "phuong-thu-e58da5" would read as VNI keystrokes)."""
    body = json_object(body)
    judged = normalize({k: v for k, v in body.items() if k in texts}, "", problems)
    return {**body, **judged}


def _text(
    body: dict[str, Any], name: str, problems: list[Problem], longest: int, path: str = ""
) -> str:
    value = body.get(name)
    if not isinstance(value, str) or not value.strip() or len(value) > longest:
        problems.append(Problem(path or name, f"required: text of 1 to {longest} characters"))
        return ""
    return value.strip()
