"""The web app in a real browser (Playwright driving Debian's chromium), against the local
stack served over HTTP as `make run` serves it: officers sign in, find their cases, read
them and sign or reject them, on a 360 px phone screen and with the keyboard alone."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from chalice.test import Client

from infra.demo import DEMO_PASSWORD
from infra.screenshots import CHROMIUM
from tests.conftest import Stack, procedure_example, submitted_case
from tests.independent import check_independently

pytestmark = pytest.mark.e2e

PHONE = {"width": 360, "height": 740}


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        yield launched
        launched.close()


@pytest.fixture
def phone(browser: Any) -> Iterator[Any]:
    """A fresh browser context on a 360 px wide screen: a page in it."""
    context = browser.new_context(viewport=PHONE, locale="vi-VN")
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    yield page
    context.close()
    assert errors == []  # no CSP violation, nothing broken


def _fits(page: Any) -> None:
    """Nothing wider than the phone's screen: no sideways scrolling."""
    # a click only waits for the next page to begin: measured before its stylesheet had
    # loaded, a record's tables were 549 px wide (the run of 2026-12-01, seed 2055318047)
    page.wait_for_load_state("load")
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= PHONE["width"], f"{page.url} is {width} px wide"


def _sign_in_with_the_keyboard(page: Any, api_url: str, username: str) -> None:
    page.goto(f"{api_url}/app")
    assert page.url.endswith("/app/signin")
    _fits(page)
    page.keyboard.type(username)  # the user name field has the focus
    page.keyboard.press("Tab")
    page.keyboard.type(DEMO_PASSWORD)
    with page.expect_navigation():
        page.keyboard.press("Enter")


def _row(page: Any, number: str) -> Any:
    """The table row of the case numbered ``number`` (its cell exactly: "1-GGT/ĐU" is also
    inside "11-GGT/ĐU")."""
    return page.locator("tr").filter(has=page.get_by_role("cell", name=number, exact=True))


def _status(stack: Stack, case_id: str) -> str | None:
    case = stack.wired()[0].cases.get_case(case_id)
    return case.status if case else None


def test_an_officer_finds_the_new_case_reads_its_warning_and_signs_it(
    client: Client, stack: Stack, api_url: str, phone: Any
) -> None:
    data = procedure_example(client, stack, "chuyen-sinh-hoat-chinh-thuc")
    data["member"]["full_name"] = "Ðào Thị Hoa"  # Ð for Đ: accepted, with a warning
    case = submitted_case(client, stack, "chuyen-sinh-hoat-chinh-thuc", "phuong-ba-dinh", data)
    _sign_in_with_the_keyboard(phone, api_url, "canbo-badinh")
    phone.wait_for_url("**/app/inbox")
    _fits(phone)
    row = _row(phone, case["number"])
    assert "Đào Thị Hoa" in row.inner_text()
    row.get_by_role("link").click()
    assert phone.get_by_role(
        "heading", name="Cảnh báo về văn bản: hãy kiểm tra trước khi ký"
    ).is_visible()
    preview = phone.get_by_role("img", name="Trang 1 của văn bản")
    assert preview.evaluate("image => image.naturalWidth") > 300  # a real picture of the page
    _fits(phone)
    phone.get_by_role("link", name="Ký số bằng khoá của hệ thống").click()
    assert case["number"] in phone.locator("dl").inner_text()  # what is about to be signed
    phone.get_by_role("button", name="Ký văn bản này").click()
    assert phone.get_by_role("status").inner_text().startswith("Đã ký")
    assert _status(stack, case["id"]) == "archived"


def test_another_officer_rejects_a_case_with_a_reason(
    client: Client, stack: Stack, api_url: str, phone: Any
) -> None:
    data = procedure_example(client, stack, "chuyen-sinh-hoat-chinh-thuc")
    case = submitted_case(client, stack, "chuyen-sinh-hoat-chinh-thuc", "phuong-hoan-kiem", data)
    _sign_in_with_the_keyboard(phone, api_url, "canbo-hoankiem")
    _row(phone, case["number"]).get_by_role("link").click()
    phone.get_by_label("Lý do từ chối").fill("Thiếu quyết định chuyển sinh hoạt")
    phone.get_by_role("button", name="Từ chối hồ sơ").click()
    assert phone.get_by_role("status").inner_text() == "Đã từ chối hồ sơ."
    assert _status(stack, case["id"]) == "rejected"


def test_the_cell_the_ward_and_the_seal_complete_a_residence_comment_from_the_web(
    client: Client, stack: Stack, api_url: str, browser: Any
) -> None:
    data = procedure_example(client, stack, "nhan-xet-noi-cu-tru")
    case = submitted_case(client, stack, "nhan-xet-noi-cu-tru", "chi-bo-to-dan-pho-5-ba-dinh", data)
    for officer in ("bithu-chibo5", "canbo-badinh"):  # the cell's secretary, then the ward
        context = browser.new_context(viewport=PHONE)
        page = context.new_page()
        _sign_in_with_the_keyboard(page, api_url, officer)
        _row(page, case["number"]).get_by_role("link").click()
        page.get_by_role("link", name="Ký số bằng khoá của hệ thống").click()
        page.get_by_role("button", name="Ký văn bản này").click()
        assert page.get_by_role("status").inner_text().startswith("Đã ký")
        context.close()
    assert _status(stack, case["id"]) == "archived"  # and the ward's seal, by the platform


def test_an_archivist_finds_a_record_downloads_it_and_catches_a_tampered_copy(
    stack: Stack, api_url: str, phone: Any, tmp_path: Path
) -> None:
    from tests.integration.test_verification import archived_case

    case = archived_case(stack)
    _sign_in_with_the_keyboard(phone, api_url, "luu-tru")
    phone.wait_for_url("**/app/records")
    phone.get_by_label("Số văn bản").fill(case.number)
    phone.get_by_role("button", name="Tra cứu").click()
    phone.get_by_role("link", name=case.number).click()
    assert phone.get_by_role("status").inner_text() == "Mọi chữ ký đều hợp lệ."
    _fits(phone)
    with phone.expect_download() as downloading:
        phone.get_by_role("link", name="Tải tệp PDF").click()
    pdf = tmp_path / "record.pdf"
    downloading.value.save_as(pdf)
    # what was downloaded is the record: pdfsig, qpdf and openssl accept every signature
    assert (
        check_independently(
            pdf.read_bytes(), stack.outputs["trust_anchor_pem"], tmp_path, stack.clock
        )
        == 3
    )
    tampered = bytearray(pdf.read_bytes())
    tampered[tampered.index(b"stream") + 20] ^= 0x01
    (tmp_path / "tampered.pdf").write_bytes(bytes(tampered))
    phone.get_by_role("link", name="Kiểm tra tệp PDF").click()
    phone.get_by_label("Tệp PDF").set_input_files(str(tmp_path / "tampered.pdf"))
    phone.get_by_role("button", name="Kiểm tra").click()
    assert phone.get_by_role("status").inner_text() == "Tệp không hợp lệ."


def test_an_admin_suspends_an_officer_who_then_can_no_longer_sign(
    client: Client, stack: Stack, api_url: str, browser: Any
) -> None:
    from tests.integration.test_certificates import _certified, _new_officer

    username = _new_officer(client, stack, "phuong-ba-dinh")
    _certified(client, stack, f"/v1/officers/{username}")  # a platform-held key to sign with
    data = procedure_example(client, stack, "chuyen-sinh-hoat-chinh-thuc")
    case = submitted_case(client, stack, "chuyen-sinh-hoat-chinh-thuc", "phuong-ba-dinh", data)
    officer = browser.new_context(viewport=PHONE).new_page()
    officer.goto(f"{api_url}/app/signin")
    officer.get_by_label("Tên đăng nhập").fill(username)
    officer.get_by_label("Mật khẩu").fill(stack.password(username))
    officer.get_by_role("button", name="Đăng nhập").click()
    _row(officer, case["number"]).get_by_role("link").click()
    officer.get_by_role("link", name="Ký số bằng khoá của hệ thống").click()  # the confirmation

    admin = browser.new_context(viewport=PHONE).new_page()
    _sign_in_with_the_keyboard(admin, api_url, "quan-tri")
    admin.wait_for_url("**/app/directory")
    _fits(admin)
    admin.get_by_role("button", name=f"Tạm đình chỉ {username}").click()
    assert admin.get_by_role("status").inner_text().startswith("Đã tạm đình chỉ")

    officer.get_by_role("button", name="Ký văn bản này").click()  # the page opened before
    assert officer.get_by_role("alert").inner_text() == "Bạn không có quyền thực hiện việc này."
    assert _status(stack, case["id"]) == "awaiting_signature"  # nothing was signed
    officer.context.close()
    admin.context.close()
