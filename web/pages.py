"""The web app's pages: each turns a browser's visit (cookies, form, query) into an answer
(HTML, a redirect, cookies), calling the same functions as the API, in Vietnamese.

Security, the same for every page: the session is a server-side record named by an
HttpOnly, Secure, SameSite=Strict cookie (web/sessions.py); every form that changes
something carries the session's CSRF token (the sign-in form, before any session, a token
that its own cookie must match); every page is sent with a strict Content-Security-Policy
(no script or style that is not ours, no frames, forms only to ourselves); Jinja2
escapes everything a person typed. Errors become Vietnamese messages (``answer_errors``),
never raw JSON."""

from __future__ import annotations

import base64
import datetime as dt
import email.policy
import logging
import time
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass, field
from email.parser import BytesParser
from functools import cache, cached_property
from pathlib import Path
from typing import Any

from jinja2 import Environment, FileSystemLoader, select_autoescape

from functions.access import Identity, Principal, caller
from functions.errors import (
    Conflict,
    DomainError,
    Forbidden,
    Invalid,
    Malformed,
    NotFound,
    Problem,
    Refused,
    TooLarge,
    Unauthorized,
    Unavailable,
)
from functions.model import VIETNAM, Case
from functions.services import Services, SignIn
from functions.signatures import MAX_REASON
from web import sessions

log = logging.getLogger("hoso.web")
FOLDER = Path(__file__).resolve().parent
STATIC = {"hoso.css": "text/css; charset=utf-8"}  # the files under web/static/ a page uses
MAX_FORM_BYTES = 16 * 1024  # the largest form: a rejection's reason
PREVIEW_DPI = 80  # a page picture fit for a screen, about a third of an A4 scan's size
SECURITY_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'none'; img-src 'self' data:; style-src 'self'; "
        "form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
    "X-Frame-Options": "DENY",
}
CASE_STATUS = {
    "submitted": "Đã tiếp nhận",
    "awaiting_signature": "Chờ ký",
    "sealed": "Đã đóng dấu",
    "archived": "Đã lưu trữ",
    "rejected": "Bị từ chối",
    "failed": "Lỗi xử lý",
}
STEP_STATUS = {"pending": "Đến lượt", "signed": "Đã ký", "waiting": "Chờ", "rejected": "Từ chối"}
STEP_ROLE = {"officer": "Cán bộ ký", "seal": "Dấu của tổ chức"}
ACCESS_ACTION = {"read": "Xem", "verify": "Kiểm tra lại chữ ký", "manifest": "Xem bản kê"}


@dataclass
class Visit:
    """A browser's request as the pages read it."""

    services: Services
    verify: Callable[[str | None], Identity]  # an Authorization header -> who it proves
    root: str  # where the app is, e.g. /app or /api/app behind a stage's path
    cookies: dict[str, str] = field(default_factory=dict)
    raw_form: bytes = b""  # a POST's body
    query: dict[str, str] = field(default_factory=dict)
    content_type: str = ""  # a POST's

    @cached_property
    def _parts(self) -> dict[str, bytes]:
        """A multipart form's parts, read once (Malformed if it is not one)."""
        return read_multipart(self.content_type, self.raw_form)

    @cached_property
    def form(self) -> dict[str, str]:
        """The POST's form fields (TooLarge or Malformed if they cannot be read)."""
        if self.content_type.lower().startswith("multipart/form-data"):
            return {k: v.decode("utf-8", "replace") for k, v in self._parts.items() if k != "file"}
        return read_form(self.raw_form)

    @cached_property
    def file(self) -> bytes:
        """The file a multipart form sent as ``file`` (empty if none)."""
        return self._parts.get("file", b"")


@dataclass
class Answer:
    """What to send back: a status, a body (HTML unless said), where to go, cookies."""

    status: int
    body: str | bytes = ""
    content_type: str = "text/html; charset=utf-8"
    location: str | None = None
    cookies: list[str] = field(default_factory=list)  # Set-Cookie values

    @property
    def headers(self) -> dict[str, Any]:
        headers: dict[str, Any] = {"Content-Type": self.content_type, **SECURITY_HEADERS}
        if self.location is not None:
            headers["Location"] = self.location
        if self.cookies:
            headers["Set-Cookie"] = self.cookies
        return headers


@dataclass
class Signed:
    """The signed-in person of a visit: their session and who the directory says they are."""

    session_id: str
    session: sessions.WebSession
    principal: Principal


@cache
def _environment() -> Environment:
    environment = Environment(
        loader=FileSystemLoader(FOLDER / "templates"),
        autoescape=select_autoescape(["html"]),
        trim_blocks=True,
        lstrip_blocks=True,
    )
    environment.filters["when"] = when
    environment.globals["case_status"] = CASE_STATUS
    environment.globals["access_action"] = ACCESS_ACTION
    return environment


def when(moment: str | None) -> str:
    """An ISO 8601 time as a person in Việt Nam reads it: day/month/year hour:minute, in
    Vietnam time (as is, if it is not a time)."""
    if not moment:
        return ""
    try:
        parsed = dt.datetime.fromisoformat(moment)
    except ValueError:
        return moment
    if parsed.tzinfo is None:
        return moment
    return parsed.astimezone(VIETNAM).strftime("%d/%m/%Y %H:%M")


def _page(visit: Visit, template: str, status: int = 200, **context: Any) -> Answer:
    html = _environment().get_template(template).render(root=visit.root, **context)
    return Answer(status, html)


def _redirect(location: str, cookies: list[str] | None = None) -> Answer:
    return Answer(303, location=location, cookies=cookies or [])


def _cookie(name: str, value: str, max_age: int) -> str:
    return f"{name}={value}; Path=/; Max-Age={max_age}; HttpOnly; Secure; SameSite=Strict"


def read_form(raw: bytes) -> dict[str, str]:
    """A form's fields (application/x-www-form-urlencoded), the last of each name;
    TooLarge over MAX_FORM_BYTES, Malformed if it is not UTF-8."""
    if len(raw) > MAX_FORM_BYTES:
        raise TooLarge(f"a form is at most {MAX_FORM_BYTES} bytes")
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise Malformed("the form is not UTF-8") from None
    return dict(urllib.parse.parse_qsl(text, keep_blank_values=True, max_num_fields=20))


def read_multipart(content_type: str, raw: bytes) -> dict[str, bytes]:
    """A multipart/form-data body's parts by name (a file's content as sent); Malformed if
    it is not one."""
    if (
        not content_type.lower().startswith("multipart/form-data")
        or "boundary=" not in content_type
    ):
        raise Malformed("send the form as multipart/form-data")
    message = BytesParser(policy=email.policy.HTTP).parsebytes(
        b"Content-Type: " + content_type.encode("latin-1") + b"\r\n\r\n" + raw
    )
    parts: dict[str, bytes] = {}
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        payload = part.get_payload(decode=True)
        if isinstance(name, str) and isinstance(payload, bytes):
            parts[name] = payload
    return parts


# --- errors, in one place --------------------------------------------------------------
class _FormExpired(Forbidden):
    """A form without its CSRF token (or an old one)."""


MESSAGES: list[tuple[type[DomainError], int, str]] = [  # the first that fits
    (_FormExpired, 403, "Biểu mẫu đã hết hạn. Xin tải lại trang rồi thử lại."),
    (Forbidden, 403, "Bạn không có quyền thực hiện việc này."),
    (NotFound, 404, "Không tìm thấy hồ sơ này, hoặc bạn không có quyền xem."),
    (Refused, 409, "Chứng thư số không dùng được để ký: bị thu hồi, hết hạn hoặc không tin cậy."),
    (Conflict, 409, "Không thực hiện được: hồ sơ đã thay đổi hoặc chưa đến lượt bạn."),
    (TooLarge, 413, "Nội dung gửi lên quá lớn."),
    (Invalid, 422, "Thông tin nhập vào chưa đúng."),
    (Malformed, 400, "Yêu cầu không hợp lệ."),
    (Unavailable, 503, "Dịch vụ đang tạm gián đoạn. Xin thử lại sau ít phút."),
]


def answer_errors(visit: Visit, handler: Callable[[], Answer]) -> Answer:
    """The handler's answer; its errors as a Vietnamese page (an expired or missing sign-in:
    to the sign-in page), anything unexpected a logged 500 page."""
    try:
        return handler()
    except Unauthorized:
        return _redirect(f"{visit.root}/signin")
    except DomainError as error:
        status, message = next(
            ((s, m) for kind, s, m in MESSAGES if isinstance(error, kind)),
            (400, "Yêu cầu không hợp lệ."),
        )
        # the API's own words for each field, in English, for whoever helps the person
        details = [f"{d.field}: {d.problem}" for d in error.details] if status == 422 else []
        return _page(visit, "error.html", status, message=message, details=details)
    except Exception:
        log.exception("unexpected error in a page")
        message = "Đã có lỗi ở phía hệ thống. Xin thử lại; nếu vẫn lỗi, hãy báo quản trị."
        return _page(visit, "error.html", 500, message=message, details=[])


def _check_csrf(expected: str, visit: Visit) -> None:
    if not sessions.same_token(expected, visit.form.get("csrf")):
        raise _FormExpired("the form's token is missing or wrong")


# --- signing in and out ------------------------------------------------------------------
def signed_in(visit: Visit) -> Signed:
    """The visit's signed-in person; Unauthorized (to the sign-in page) if there is none."""
    session_id = visit.cookies.get(sessions.COOKIE)
    session = sessions.load(visit.services, session_id)
    if session_id is None or session is None or not session.signed_in:
        raise Unauthorized("sign in first")
    token = sessions.id_token(visit.services, session_id, session)
    principal = caller(visit.services, visit.verify(f"Bearer {token}"))
    return Signed(session_id, session, principal)


def home(visit: Visit) -> Answer:
    """Where a person starts: officers at their inbox."""
    person = signed_in(visit)
    if "officer" in person.principal.roles:
        return _redirect(f"{visit.root}/inbox")
    if "archivist" in person.principal.roles:
        return _redirect(f"{visit.root}/records")
    if "admin" in person.principal.roles:
        return _redirect(f"{visit.root}/directory")
    return _page(visit, "home.html", **_chrome(person))


def sign_in_form(visit: Visit, problem: str | None = None, status: int = 200) -> Answer:
    token = sessions.random_token()
    answer = _page(visit, "signin.html", status, csrf=token, problem=problem)
    answer.cookies.append(_cookie(sessions.SIGN_IN_COOKIE, token, sessions.CHALLENGE_SECONDS))
    return answer


def sign_in(visit: Visit) -> Answer:
    """USER_PASSWORD_AUTH with the form's user name and password; a first sign-in goes on
    to choose a new password."""
    _check_csrf(visit.cookies.get(sessions.SIGN_IN_COOKIE, ""), visit)
    username = visit.form.get("username", "").strip()
    password = visit.form.get("password", "")
    if not username or not password or len(username) > 128 or len(password) > 256:
        return sign_in_form(visit, "Hãy nhập tên đăng nhập và mật khẩu.", 422)
    try:
        signed = visit.services.users.sign_in(username, password)
    except Unauthorized:
        return sign_in_form(visit, "Tên đăng nhập hoặc mật khẩu không đúng.", 401)
    return _started(visit, username, signed)


def _started(visit: Visit, username: str, signed: SignIn) -> Answer:
    session_id, session = sessions.start(visit.services, username, signed)
    cookies = [
        _cookie(sessions.COOKIE, session_id, session.expires - int(time.time())),
        _cookie(sessions.SIGN_IN_COOKIE, "", 0),
    ]
    if not session.signed_in:  # a first sign-in: choose a password
        answer = _page(visit, "new_password.html", csrf=session.csrf, problem=None)
        answer.cookies = cookies
        return answer
    return _redirect(f"{visit.root}", cookies)


def new_password(visit: Visit) -> Answer:
    """The first sign-in's new password, chosen twice the same."""
    session_id = visit.cookies.get(sessions.COOKIE)
    session = sessions.load(visit.services, session_id)
    if session is None or session.challenge is None:
        return _redirect(f"{visit.root}/signin")
    _check_csrf(session.csrf, visit)
    chosen, again = visit.form.get("new_password", ""), visit.form.get("again", "")
    problem = None
    if chosen != again:
        problem = "Hai lần nhập mật khẩu mới không giống nhau."
    elif not 12 <= len(chosen) <= 256:
        problem = "Mật khẩu mới cần từ 12 ký tự trở lên."
    if problem is None:
        try:
            signed = visit.services.users.answer_new_password(
                session.username, session.challenge, chosen
            )
        except Invalid:
            problem = "Mật khẩu mới cần chữ hoa, chữ thường, chữ số và ký hiệu."
        else:
            sessions.end(visit.services, session_id)
            return _started(visit, session.username, signed)
    return _page(visit, "new_password.html", 422, csrf=session.csrf, problem=problem)


def sign_out(visit: Visit) -> Answer:
    session_id = visit.cookies.get(sessions.COOKIE)
    session = sessions.load(visit.services, session_id)
    if session is not None:
        _check_csrf(session.csrf, visit)
        sessions.end(visit.services, session_id)
    return _redirect(f"{visit.root}/signin", [_cookie(sessions.COOKIE, "", 0)])


# --- officers ----------------------------------------------------------------------------
def _chrome(person: Signed) -> dict[str, Any]:
    """What every signed-in page shows: who, their roles, the sign-out form's token."""
    return {
        "person": person.principal,
        "csrf": person.session.csrf,
        "is_officer": "officer" in person.principal.roles,
        "is_archivist": "archivist" in person.principal.roles,
        "is_admin": "admin" in person.principal.roles,
    }


def _age(created_at: str, now: dt.datetime) -> str:
    seconds = max(0, int((now - dt.datetime.fromisoformat(created_at)).total_seconds()))
    if seconds < 60:
        return "vừa xong"
    if seconds < 3600:
        return f"{seconds // 60} phút"
    if seconds < 86400:
        return f"{seconds // 3600} giờ"
    return f"{seconds // 86400} ngày"


def _member(data: dict[str, Any] | None) -> str:
    member = (data or {}).get("member")
    name = member.get("full_name") if isinstance(member, dict) else None
    return name if isinstance(name, str) else ""


def inbox(visit: Visit) -> Answer:
    """The cases awaiting a signature of the officer's organisation, newest first."""
    from functions.records import list_cases

    person = signed_in(visit)
    params = {"awaiting": "me", "limit": "50"}
    if visit.query.get("next"):
        params["next"] = visit.query["next"]
    page = list_cases(visit.services, person.principal, params)
    now = visit.services.clock()
    rows = [
        {
            "id": case["id"],
            "procedure": _procedure_title(visit.services, case["procedure"]),
            "number": case["number"],
            "member": _member(case.get("data")),
            "age": _age(case["created_at"], now),
            "warnings": len(case["warnings"]),
        }
        for case in page["items"]
    ]
    return _page(visit, "inbox.html", rows=rows, next=page["next"], **_chrome(person))


def _procedure_title(services: Services, code: str) -> str:
    found = services.catalogue.get(code)
    return found.title if found is not None else code


def _document_title(services: Services, code: str) -> str:
    """The title of the document procedure ``code`` makes (its code if unknown)."""
    found = services.catalogue.get(code)
    return found.document_title if found is not None else code


def data_rows(schema: dict[str, Any], data: Any, path: str = "data") -> list[dict[str, str]]:
    """The submitted data as rows a person reads: each field's label (its schema's
    description), its value (a choice by its title, money and counts with dots), and
    its path (to match the text warnings)."""
    rows: list[dict[str, str]] = []
    if isinstance(data, dict):
        properties = schema.get("properties", {}) if isinstance(schema, dict) else {}
        for name, value in data.items():
            sub = properties.get(name, {})
            label = sub.get("description") or sub.get("title") or name
            label = label.split(",")[0] if len(label) > 60 else label
            inner = data_rows(sub, value, f"{path}.{name}")
            if isinstance(value, dict | list):
                rows += [{**row, "label": f"{label} › {row['label']}"} for row in inner]
            else:
                rows += [{**row, "label": label} for row in inner]
    elif isinstance(data, list):
        items = schema.get("items", {}) if isinstance(schema, dict) else {}
        for index, value in enumerate(data):
            inner = data_rows(items, value, f"{path}[{index}]")
            rows += [{**row, "label": f"{index + 1}. {row['label']}"} for row in inner]
    else:
        choices = schema.get("oneOf", []) if isinstance(schema, dict) else []
        chosen = next((c.get("title") for c in choices if c.get("const") == data), None)
        if chosen is None and isinstance(data, int) and not isinstance(data, bool):
            chosen = f"{data:,}".replace(",", ".")
        rows.append({"label": "", "value": chosen or str(data), "path": path})
    return rows


def _previews(services: Services, case: Case) -> list[str]:
    """Each page of the case's current document as a data: URL of its PNG."""
    from functions.records import case_pdf
    from templates.preview import page_png

    pdf = case_pdf(services, case)
    return [
        "data:image/png;base64," + base64.b64encode(page_png(pdf, n, PREVIEW_DPI)).decode()
        for n in range(1, case.document.pages + 1)
    ]


def case_page(visit: Visit, case_id: str) -> Answer:
    """A case: its document's pages, its text warnings, its data, its steps and history,
    and, when it is the officer's turn, signing and rejecting."""
    from functions.records import case_view
    from functions.signatures import load_case, turn_problem

    person = signed_in(visit)
    case = load_case(visit.services, person.principal, case_id)
    view = case_view(case, person.principal)
    procedure = visit.services.catalogue.get(case.procedure)
    rows = data_rows(procedure.schema if procedure else {}, view.get("data", {}))
    labels = {row["path"]: row["label"] for row in rows}
    warnings = [
        {"label": labels.get(w["field"], w["field"]), "problem": w["problem"]}
        for w in view["warnings"]
    ]
    return _page(
        visit,
        "case.html",
        case=view,
        title=_document_title(visit.services, case.procedure),
        procedure=_procedure_title(visit.services, case.procedure),
        status_label=CASE_STATUS.get(view["status"], view["status"]),
        steps=[
            {**s, "status": STEP_STATUS.get(s["status"], s["status"]), "role": STEP_ROLE[s["role"]]}
            for s in view["steps"]
        ],
        rows=rows,
        warnings=warnings,
        previews=_previews(visit.services, case),
        your_turn=turn_problem(case, person.principal) is None,
        done=visit.query.get("done"),
        max_reason=MAX_REASON,
        **_chrome(person),
    )


def confirm_signing(visit: Visit, case_id: str) -> Answer:
    """Before anything is signed: the document's title and number, and one button."""
    from functions.signatures import officers_turn

    person = signed_in(visit)
    case, _ = officers_turn(visit.services, person.principal, case_id)
    return _page(
        visit,
        "confirm.html",
        case_id=case.id,
        title=_document_title(visit.services, case.procedure),
        number=case.number,
        member=_member(case.data),
        **_chrome(person),
    )


def sign(visit: Visit, case_id: str) -> Answer:
    """Sign with the officer's platform-held key; back to the case."""
    from functions.signatures import sign_as_officer

    person = signed_in(visit)
    _check_csrf(person.session.csrf, visit)
    sign_as_officer(visit.services, person.principal, case_id)
    return _redirect(f"{visit.root}/cases/{case_id}?done=signed")


def reject(visit: Visit, case_id: str) -> Answer:
    """Refuse to sign, with a reason; back to the case."""
    from functions.signatures import reject_as_officer

    person = signed_in(visit)
    _check_csrf(person.session.csrf, visit)
    reject_as_officer(
        visit.services, person.principal, case_id, {"reason": visit.form.get("reason", "")}
    )
    return _redirect(f"{visit.root}/cases/{case_id}?done=rejected")


# --- archivists -------------------------------------------------------------------------
SEARCH_FIELDS = (
    ("number", "Số văn bản", "text"),
    ("card", "Số thẻ đảng viên", "text"),
    ("procedure", "Thủ tục", "procedure"),
    ("organization", "Mã tổ chức", "text"),
    ("archived_from", "Lưu trữ từ ngày", "date"),
    ("archived_to", "Lưu trữ đến ngày", "date"),
    ("original_from", "Văn bản giấy từ ngày", "date"),
    ("original_to", "Văn bản giấy đến ngày", "date"),
)


def records(visit: Visit) -> Answer:
    """The record search: every filter of GET /v1/records, a page of results at a time;
    a filter that is not valid is said beside the form."""
    from functions.search import search_records

    person = signed_in(visit)
    person.principal.require("archivist")
    asked = {
        name: visit.query[name].strip()
        for name, _, _ in SEARCH_FIELDS
        if visit.query.get(name, "").strip()
    }
    found: dict[str, Any] | None = None
    problems: list[str] = []
    if asked or visit.query.get("all"):
        params = {**asked, **({"next": visit.query["next"]} if visit.query.get("next") else {})}
        try:
            found = search_records(visit.services, person.principal, params)
        except (Invalid, Malformed) as error:
            labels = {f"query.{name}": label for name, label, _ in SEARCH_FIELDS}
            problems = [f"{labels.get(d.field, d.field)}: {d.problem}" for d in error.details]
    procedures = [(p.code, p.title) for p in visit.services.catalogue.all()]
    later = None
    if found and found["next"]:
        later = urllib.parse.urlencode({**asked, "all": "1", "next": found["next"]})
    return _page(
        visit,
        "records.html",
        422 if problems else 200,
        fields=SEARCH_FIELDS,
        asked=asked,
        procedures=procedures,
        items=found["items"] if found else None,
        titles=dict(procedures),
        later=later,
        problems=problems,
        **_chrome(person),
    )


def _report_rows(report: dict[str, Any] | None) -> list[dict[str, Any]]:
    """A validation report's signatures as a person reads them."""
    rows = []
    for entry in (report or {}).get("signatures", []):
        stamp = entry.get("timestamp") or {}
        rows.append(
            {
                "signer": entry.get("signer") or entry.get("field"),
                "time": stamp.get("time") or "",
                "level": entry.get("level") or "",
                "trusted": entry.get("trusted"),
                "intact": entry.get("intact"),
                "valid": entry.get("valid"),
            }
        )
    return rows


def record_page(visit: Visit, record_id: str) -> Answer:
    """A record: its metadata, its validation as a table, its download, who read it."""
    from functions.records import get_record, get_record_accesses

    person = signed_in(visit)
    verify = "true" if visit.query.get("verify") == "true" else None
    record = get_record(visit.services, person.principal, record_id, verify)
    trail = get_record_accesses(visit.services, person.principal, record_id)["accesses"]
    return _page(
        visit,
        "record.html",
        record=record,
        procedure=_procedure_title(visit.services, record.get("procedure", "")),
        report=record.get("validation"),
        signatures=_report_rows(record.get("validation")),
        accesses=trail,
        **_chrome(person),
    )


def verify_form(visit: Visit) -> Answer:
    person = signed_in(visit)
    return _page(visit, "verify.html", report=None, signatures=[], **_chrome(person))


def verify_file(visit: Visit) -> Answer:
    """A PDF uploaded through the form, validated: its report as a table."""
    from functions.verification import verify_pdf

    person = signed_in(visit)
    _check_csrf(person.session.csrf, visit)
    if not visit.file:
        raise Invalid("no file", [Problem("file", "Hãy chọn một tệp PDF.")])
    report = verify_pdf(visit.services, person.principal, {}, "application/pdf", visit.file)
    return _page(
        visit, "verify.html", report=report, signatures=_report_rows(report), **_chrome(person)
    )


# --- admins ------------------------------------------------------------------------------
PERSON_STATUS = {"active": "Đang hoạt động", "suspended": "Tạm đình chỉ"}
PERSON_ROLE = {"officer": "Cán bộ", "archivist": "Lưu trữ viên", "admin": "Quản trị"}


def directory_page(visit: Visit) -> Answer:
    """The directory: its organisations and people, each person's status and certificates,
    and suspending or reinstating a person."""
    from functions.directory import list_directory

    person = signed_in(visit)
    kind = "organization" if visit.query.get("kind") == "organization" else "person"
    page = list_directory(visit.services, person.principal, kind, visit.query.get("next"))
    later = urllib.parse.urlencode({"kind": kind, "next": page["next"]}) if page["next"] else None
    return _page(
        visit,
        "directory.html",
        kind=kind,
        items=page["items"],
        later=later,
        statuses=PERSON_STATUS,
        roles=PERSON_ROLE,
        done=visit.query.get("done"),
        **_chrome(person),
    )


def set_person_status(visit: Visit, username: str) -> Answer:
    """Suspend or reinstate a person (the form's ``status``): from their next request on,
    the directory says so, whatever their token."""
    from functions.directory import get_person, put_person

    person = signed_in(visit)
    _check_csrf(person.session.csrf, visit)
    status = visit.form.get("status", "")
    if status not in PERSON_STATUS:
        raise Invalid("not a status", [Problem("status", "Trạng thái không hợp lệ.")])
    entry = get_person(visit.services, person.principal, username)
    fields = ("organization", "position", "display_name", "role")
    put_person(
        visit.services,
        person.principal,
        username,
        {**{k: entry[k] for k in fields}, "status": status},
    )
    return _redirect(f"{visit.root}/directory?done={status}")


def static_file(name: str) -> Answer:
    """web/static/``name`` (only the files STATIC lists)."""
    if name not in STATIC:
        return Answer(404, "", "text/plain; charset=utf-8")
    return Answer(200, _static_text(name), STATIC[name])


@cache
def _static_text(name: str) -> str:
    """A static file's text, read once per process (every page asks for the style sheet)."""
    return (FOLDER / "static" / name).read_text(encoding="utf-8")
