"""The web app at /app/, through the app as a browser reaches it (without a browser): its
sign-in, its session cookie, its CSRF tokens, its headers and what it shows.

Who gets what: no session, an ended one, or a forged cookie: the sign-in page (303); a form
without its CSRF token: 403 and nothing done; another organisation's case: 404; a wrong
password: 401, a Vietnamese message; whatever a person typed: shown as text, never markup."""

from __future__ import annotations

import re
import urllib.parse
import uuid
from typing import Any

from chalice.test import Client

from infra.demo import DEMO_PASSWORD
from tests.conftest import Stack, procedure_example, submitted_case

FORM = {"Content-Type": "application/x-www-form-urlencoded"}


def _cookies(answer: Any) -> dict[str, str]:
    """The Set-Cookie values of an answer, by cookie name."""
    values = answer.headers.get("Set-Cookie") or answer.headers.get("set-cookie") or []
    found = [values] if isinstance(values, str) else list(values)
    return {value.split("=", 1)[0]: value for value in found}


def _hidden_csrf(html: str) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', html)
    assert found, html[:500]
    return found.group(1)


def _post(client: Client, path: str, fields: dict[str, str], cookie: str) -> Any:
    return client.http.post(
        path, headers={**FORM, "Cookie": cookie}, body=urllib.parse.urlencode(fields)
    )


def signed_in(client: Client, username: str, password: str = DEMO_PASSWORD) -> str:
    """A browser's sign-in through the form: the session cookie it then sends."""
    form = client.http.get("/app/signin")
    token = _hidden_csrf(form.body.decode())
    cookie = f"__Host-hoso-signin={token}"
    answer = _post(
        client,
        "/app/signin",
        {"csrf": token, "username": username, "password": password},
        cookie,
    )
    assert answer.status_code == 303, answer.body.decode()[:500]
    session = _cookies(answer)["__Host-hoso"]
    return session.split(";", 1)[0]


def _page(client: Client, path: str, cookie: str) -> Any:
    return client.http.get(path, headers={"Cookie": cookie})


def test_the_session_cookie_is_httponly_secure_strict_and_pages_carry_a_strict_csp(
    client: Client,
) -> None:
    form = client.http.get("/app/signin")
    assert form.status_code == 200
    policy = form.headers["Content-Security-Policy"]
    assert "default-src 'none'" in policy and "frame-ancestors 'none'" in policy
    assert "script-src" not in policy  # no script at all may run
    assert form.headers["X-Frame-Options"] == "DENY"
    assert form.headers["Cache-Control"] == "no-store"
    token = _hidden_csrf(form.body.decode())
    answer = _post(
        client,
        "/app/signin",
        {"csrf": token, "username": "canbo-badinh", "password": DEMO_PASSWORD},
        f"__Host-hoso-signin={token}",
    )
    assert answer.status_code == 303
    flags = [part.strip() for part in _cookies(answer)["__Host-hoso"].split(";")]
    assert {"HttpOnly", "Secure", "SameSite=Strict", "Path=/"} <= set(flags)
    assert "eyJ" not in str(answer.headers)  # no token of the pool reaches the browser


def test_a_sign_in_without_its_csrf_token_or_with_a_wrong_password_is_refused(
    client: Client,
) -> None:
    token = _hidden_csrf(client.http.get("/app/signin").body.decode())
    fields = {"csrf": token, "username": "canbo-badinh", "password": DEMO_PASSWORD}
    forged = _post(client, "/app/signin", fields, "__Host-hoso-signin=another")
    assert forged.status_code == 403 and "__Host-hoso" not in _cookies(forged)
    assert "Biểu mẫu đã hết hạn" in forged.body.decode()
    wrong = _post(
        client,
        "/app/signin",
        {**fields, "password": "Sai-mat-khau-1!"},
        f"__Host-hoso-signin={token}",
    )
    assert wrong.status_code == 401
    assert "Tên đăng nhập hoặc mật khẩu không đúng" in wrong.body.decode()
    assert "__Host-hoso" not in _cookies(wrong)


def test_an_officer_finds_the_case_sees_its_warning_and_signs_it(
    client: Client, stack: Stack
) -> None:
    data = procedure_example(client, stack, "chuyen-sinh-hoat-chinh-thuc")
    data["member"]["full_name"] = "Ðào Thị <script>alert(1)</script> Hoa"
    case = submitted_case(client, stack, "chuyen-sinh-hoat-chinh-thuc", data=data)
    cookie = signed_in(client, "canbo-badinh")
    home = _page(client, "/app", cookie)
    assert home.status_code == 303 and home.headers["Location"] == "/app/inbox"
    inbox = _page(client, "/app/inbox", cookie)
    assert inbox.status_code == 200
    html = inbox.body.decode()
    assert f"/app/cases/{case['id']}" in html and case["number"] in html
    assert "<script>" not in html and "&lt;script&gt;" in html  # text, never markup
    page = _page(client, f"/app/cases/{case['id']}", cookie).body.decode()
    assert "Cảnh báo về văn bản" in page  # Ð read as Đ, said as a warning
    assert "data:image/png;base64," in page  # the document's pages
    assert "<script>" not in page
    confirm = _page(client, f"/app/cases/{case['id']}/sign", cookie).body.decode()
    assert case["number"] in confirm and "Ký văn bản này" in confirm
    csrf = _hidden_csrf(confirm)
    refused = _post(client, f"/app/cases/{case['id']}/sign", {}, cookie)
    assert refused.status_code == 403
    assert stack.wired()[0].cases.get_case(case["id"]).status == "awaiting_signature"
    signed = _post(client, f"/app/cases/{case['id']}/sign", {"csrf": csrf}, cookie)
    assert signed.status_code == 303
    assert signed.headers["Location"] == f"/app/cases/{case['id']}?done=signed"
    assert stack.wired()[0].cases.get_case(case["id"]).status == "archived"


def test_an_archivist_of_the_signing_ward_reads_the_case_but_is_never_offered_its_turn(
    client: Client, stack: Stack
) -> None:
    case = submitted_case(client, stack, "chuyen-sinh-hoat-chinh-thuc")  # the ward signs next
    officer = _page(client, f"/app/cases/{case['id']}", signed_in(client, "canbo-badinh"))
    assert "Đến lượt bạn" in officer.body.decode()
    archivist = _page(client, f"/app/cases/{case['id']}", signed_in(client, "luu-tru"))
    assert archivist.status_code == 200 and case["number"] in archivist.body.decode()
    assert "Đến lượt bạn" not in archivist.body.decode()  # only an officer signs


def test_an_officer_rejects_with_a_reason_and_another_organisation_sees_nothing(
    client: Client, stack: Stack
) -> None:
    case = submitted_case(client, stack, "chuyen-sinh-hoat-chinh-thuc")
    other = signed_in(client, "canbo-hoankiem")
    assert _page(client, f"/app/cases/{case['id']}", other).status_code == 404
    cookie = signed_in(client, "canbo-badinh")
    csrf = _hidden_csrf(_page(client, f"/app/cases/{case['id']}", cookie).body.decode())
    refused = _post(client, f"/app/cases/{case['id']}/reject", {"csrf": csrf, "reason": ""}, cookie)
    assert refused.status_code == 422  # a reason is needed
    rejected = _post(
        client, f"/app/cases/{case['id']}/reject", {"csrf": csrf, "reason": "Sai ngày sinh"}, cookie
    )
    assert rejected.status_code == 303
    stored = stack.wired()[0].cases.get_case(case["id"])
    assert stored.status == "rejected" and stored.rejection.reason == "Sai ngày sinh"


def test_no_session_a_forged_one_or_a_signed_out_one_goes_to_the_sign_in_page(
    client: Client,
) -> None:
    for cookie in ("", "__Host-hoso=forged", "__Host-hoso=" + "x" * 5000, "bad cookie;;="):
        answer = _page(client, "/app/inbox", cookie)
        assert answer.status_code == 303 and answer.headers["Location"] == "/app/signin"
    cookie = signed_in(client, "canbo-badinh")
    csrf = _hidden_csrf(_page(client, "/app/inbox", cookie).body.decode())
    assert _post(client, "/app/signout", {"csrf": "wrong"}, cookie).status_code == 403
    assert _page(client, "/app/inbox", cookie).status_code == 200  # still signed in
    out = _post(client, "/app/signout", {"csrf": csrf}, cookie)
    assert out.status_code == 303 and "Max-Age=0" in _cookies(out)["__Host-hoso"]
    assert _page(client, "/app/inbox", cookie).status_code == 303  # the session is gone


def test_a_first_sign_in_chooses_a_new_password(client: Client, stack: Stack) -> None:
    username = stack.add_person("officer", "phuong-ba-dinh")
    temporary = "Tam-thoi-2026-abc!"
    stack.client("cognito-idp").admin_set_user_password(
        UserPoolId=stack.outputs["user_pool_id"],
        Username=username,
        Password=temporary,
        Permanent=False,
    )
    token = _hidden_csrf(client.http.get("/app/signin").body.decode())
    challenged = _post(
        client,
        "/app/signin",
        {"csrf": token, "username": username, "password": temporary},
        f"__Host-hoso-signin={token}",
    )
    assert challenged.status_code == 200 and "Đặt mật khẩu mới" in challenged.body.decode()
    pending = _cookies(challenged)["__Host-hoso"].split(";", 1)[0]
    csrf = _hidden_csrf(challenged.body.decode())
    assert _page(client, "/app/inbox", pending).status_code == 303  # not signed in yet
    fields = {"csrf": csrf, "new_password": "Mat-khau-moi-2026!", "again": "Khac-han-2026!"}
    mismatch = _post(client, "/app/new-password", fields, pending)
    assert mismatch.status_code == 422 and "không giống nhau" in mismatch.body.decode()
    fields["again"] = fields["new_password"]
    chosen = _post(client, "/app/new-password", fields, pending)
    assert chosen.status_code == 303
    session = _cookies(chosen)["__Host-hoso"].split(";", 1)[0]
    assert _page(client, "/app/inbox", session).status_code == 200
    stack.know_password(username, fields["new_password"])


def _multipart(fields: dict[str, str], pdf: bytes) -> tuple[str, bytes]:
    boundary = uuid.uuid4().hex
    parts = [
        f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
        for name, value in fields.items()
    ]
    parts.append(
        f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="a.pdf"\r\n'
        "Content-Type: application/pdf\r\n\r\n".encode()
        + pdf
        + b"\r\n"
    )
    return f"multipart/form-data; boundary={boundary}", b"".join(
        parts
    ) + f"--{boundary}--\r\n".encode()


def test_an_archivist_finds_a_record_reads_its_validation_and_verifies_files(
    client: Client, stack: Stack
) -> None:
    from tests.integration.test_verification import archived_case

    case = archived_case(stack)
    cookie = signed_in(client, "luu-tru")
    assert _page(client, "/app", cookie).headers["Location"] == "/app/records"
    found = _page(client, f"/app/records?number={urllib.parse.quote(case.number)}", cookie)
    assert found.status_code == 200
    assert f"/app/records/{case.record_id}" in found.body.decode()
    record = _page(client, f"/app/records/{case.record_id}", cookie).body.decode()
    assert "Mọi chữ ký đều hợp lệ." in record and record.count("Hợp lệ</td>") == 3
    assert "Tải tệp PDF" in record and "luu-tru" in record  # the read just made, in the trail
    bad = _page(client, "/app/records?archived_from=30-11-2026", cookie)
    assert bad.status_code == 422 and "Lưu trữ từ ngày" in bad.body.decode()
    # a file checked on the verify page: the record as archived, then one byte changed
    pdf = stack.wired()[0].documents.get(case.document.key, case.document.version_id)
    csrf = _hidden_csrf(_page(client, "/app/verify", cookie).body.decode())
    tampered = bytearray(pdf)
    tampered[pdf.index(b"stream") + 20] ^= 0x01
    for content, verdict in ((pdf, "Tệp hợp lệ"), (bytes(tampered), "Tệp không hợp lệ.")):
        content_type, body = _multipart({"csrf": csrf}, content)
        answer = client.http.post(
            "/app/verify", headers={"Content-Type": content_type, "Cookie": cookie}, body=body
        )
        assert answer.status_code == 200 and verdict in answer.body.decode()
    content_type, body = _multipart({}, pdf)
    refused = client.http.post(
        "/app/verify", headers={"Content-Type": content_type, "Cookie": cookie}, body=body
    )
    assert refused.status_code == 403  # no CSRF token
    officer = signed_in(client, "canbo-badinh")
    assert _page(client, "/app/records", officer).status_code == 403


def test_bad_forms_get_a_clear_page_never_a_500(client: Client) -> None:
    cookie = signed_in(client, "canbo-badinh")
    cases = [
        (FORM, b"csrf=" + b"a" * 20_000, 413),  # over the largest form
        (FORM, b"csrf=%ff%fe", 403),  # not UTF-8 once decoded: no token matches
        ({"Content-Type": "multipart/form-data"}, b"--x\r\n", 400),  # no boundary
    ]
    for headers, body, status in cases:
        path = "/app/verify" if "multipart" in headers["Content-Type"] else "/app/signout"
        answer = client.http.post(path, headers={**headers, "Cookie": cookie}, body=body)
        assert answer.status_code == status, (body[:20], answer.body.decode()[:300])
        assert answer.headers["Content-Type"].startswith("text/html")


def test_an_admin_lists_the_directory_and_suspends_a_person_at_once(
    client: Client, stack: Stack
) -> None:
    from tests.integration.test_certificates import _new_officer

    username = _new_officer(client, stack, "phuong-ba-dinh")
    theirs = signed_in(client, username, stack.password(username))
    assert _page(client, "/app/inbox", theirs).status_code == 200
    admin = signed_in(client, "quan-tri")
    assert _page(client, "/app", admin).headers["Location"] == "/app/directory"
    people = _page(client, "/app/directory", admin).body.decode()
    assert username in people and "canbo-badinh" in people
    organizations = _page(client, "/app/directory?kind=organization", admin).body.decode()
    assert "phuong-ba-dinh" in organizations and "Có chứng thư số" in organizations
    path = f"/app/people/{username}/status"
    assert _post(client, path, {"status": "suspended"}, admin).status_code == 403  # no token
    csrf = _hidden_csrf(people)
    suspended = _post(client, path, {"csrf": csrf, "status": "suspended"}, admin)
    assert suspended.status_code == 303, suspended.body.decode()[:500]
    assert stack.wired()[0].cases.get_officer(username)["status"] == "suspended"
    # their session still exists, but the directory decides every request
    refused = _page(client, "/app/inbox", theirs)
    assert refused.status_code == 403 and "không có quyền" in refused.body.decode()
    officer = signed_in(client, "canbo-badinh")
    assert _page(client, "/app/directory", officer).status_code == 403
    back = _post(client, path, {"csrf": csrf, "status": "active"}, admin)
    assert back.status_code == 303
    assert _page(client, "/app/inbox", theirs).status_code == 200
