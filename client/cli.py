"""The `hoso` command: sign in, submit cases, follow them, search and verify records, and
sign a case with a key on a PKCS#11 token (USB token).

`hoso login` signs in to the user pool (USER_PASSWORD_AUTH), answering the new-password
challenge of a first sign-in, and keeps the tokens in the user's config directory (0600);
later commands refresh the ID token when it has expired. `hoso sign` shows the case, asks
the API for the digest to sign, signs it on the token (the private key never leaves it)
and hands the signature back. `hoso submit` sends one case, or many as a batch whose
progress it follows. Every command takes `--json` for scripts.

Exit codes: 0 done; 1 the API refused or failed, a batch with failed items, or a file
that does not verify; 2 a file that cannot be read, or a wrong command line.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any, NoReturn

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from client.api import Api, ApiError
from client.items import ItemsError, read_items
from client.session import Login, keep, login, saved_login
from client.token import TokenError, TokenKey

app = typer.Typer(help="hoso: Party procedures, signed and archived.", no_args_is_help=True)
cases_app = typer.Typer(help="Cases: show one, or wait for it to end.", no_args_is_help=True)
records_app = typer.Typer(help="The archive: search, read, download.", no_args_is_help=True)
app.add_typer(cases_app, name="cases")
app.add_typer(records_app, name="records")
console = Console()
AS_JSON = typer.Option("--json", help="print JSON for scripts instead of tables")
INLINE_BYTES = 900_000  # a batch's items inline up to this (the API's body limit is 1 MB)
PDF_BODY_BYTES = 4_500_000  # a PDF in the request's body up to this (the API's default)
ENDED = ("archived", "rejected", "failed")  # a case in one of these changes no more
FOLLOW_SECONDS = float(os.environ.get("HOSO_FOLLOW_SECONDS", "2"))  # between two looks


@app.command("login")
def login_command(
    username: Annotated[str, typer.Option(prompt=True, help="your user name")],
    password: Annotated[str, typer.Option(prompt=True, hide_input=True, help="your password")],
    api_url: Annotated[str, typer.Option(envvar="HOSO_API_URL", help="the API's base URL")],
    new_password: Annotated[
        str | None,
        typer.Option(envvar="HOSO_NEW_PASSWORD", help="the new password a first sign-in sets"),
    ] = None,
    outputs: Annotated[
        Path | None, typer.Option(help="a local stack's outputs.json (its user pool)")
    ] = None,
) -> None:
    """Sign in; the tokens are kept for the next commands."""
    try:
        found = login(
            username, password, api_url, _pool(outputs), lambda: _new_password(new_password)
        )
    except ApiError as error:
        _fail(error.message)
    console.print(f"Đã đăng nhập: [bold]{found.username}[/bold] ({found.api_url})")


@app.command("sign")
def sign_command(
    case_id: Annotated[str, typer.Argument(help="the case to sign")],
    pkcs11_module: Annotated[Path, typer.Option(help="the token's PKCS#11 library")],
    token_label: Annotated[str, typer.Option(help="the token's label")],
    pin_env: Annotated[str, typer.Option(help="the environment variable holding the PIN")],
    key_label: Annotated[
        str | None, typer.Option(help="the key's label, if the token holds several")
    ] = None,
    yes: Annotated[bool, typer.Option("--yes", help="sign without asking to confirm")] = False,
) -> None:
    """Sign CASE_ID with the key on a USB token, through a signing session."""
    pin = os.environ.get(pin_env, "")
    if not pin:
        _fail(f"the PIN is not in the environment variable {pin_env}")
    try:
        api = Api(saved_login(), keep)
        case = api.get(f"/v1/cases/{case_id}")
        _show(case, api.procedure_title(case["procedure"]))
        if not yes and not typer.confirm("Ký văn bản này?"):
            raise typer.Exit(1)
        with TokenKey(pkcs11_module, token_label, pin, key_label) as key:
            session = api.post(
                f"/v1/cases/{case_id}/signing-sessions",
                {"certificate_chain": [key.certificate_pem]},
            )
            signature = key.sign_digest(base64.b64decode(session["digest"]))
        signed = api.put(
            f"/v1/signing-sessions/{session['session_id']}",
            {"signature": base64.b64encode(signature).decode("ascii")},
        )
    except (ApiError, TokenError) as error:
        _fail(error.message)
    console.print(
        f"Đã ký: văn bản số [bold]{signed['number']}[/bold], trạng thái {signed['status']}"
        + (f", hồ sơ lưu trữ {signed['record_id']}" if signed.get("record_id") else "")
    )


@app.command("procedures")
def procedures_command(as_json: Annotated[bool, AS_JSON] = False) -> None:
    """The procedures the API takes, with their codes."""
    api = _api()
    with _api_errors():
        found = api.get("/v1/procedures")
    if as_json:
        _print_json(found)
        return
    table = Table("Mã", "Thủ tục", "Phiên bản")
    for procedure in found["procedures"]:
        table.add_row(procedure["code"], procedure["title"], procedure["version"])
    console.print(table)


@app.command("submit")
def submit_command(
    file: Annotated[Path, typer.Argument(help="one JSON object, JSON lines, or CSV")],
    procedure: Annotated[str, typer.Option(help="the procedure's code (hoso procedures)")],
    organization: Annotated[str, typer.Option(help="the organisation's code")],
    failed_to: Annotated[
        Path | None, typer.Option(help="where to write the failed items (JSON lines)")
    ] = None,
    wait_seconds: Annotated[int, typer.Option(help="how long to follow a batch")] = 3600,
    as_json: Annotated[bool, AS_JSON] = False,
) -> None:
    """Submit the cases in FILE: one becomes a case, many a batch, followed to its end."""
    api = _api()
    with _api_errors():
        catalogue = api.get("/v1/procedures")["procedures"]
    chosen = next((p for p in catalogue if p["code"] == procedure), None)
    if chosen is None:
        _fail(f"there is no procedure {procedure}: see hoso procedures", 2)
    try:
        items = read_items(file, chosen["schema"])
    except ItemsError as error:
        _fail(error.message, 2)
    if len(items) == 1:
        body = {"procedure": procedure, "organization": organization, "data": items[0]["data"]}
        key = {"Idempotency-Key": items[0]["key"]}
        with _api_errors():
            case = api.post("/v1/cases", body, key)
        if as_json:
            _print_json(case)
        else:
            with _api_errors():
                _show(case, api.procedure_title(procedure))
        return
    with _api_errors():
        batch = _send_batch(api, procedure, organization, items)
    view = _follow(api, batch["id"], len(items), wait_seconds, quiet=as_json)
    failures = _failures(api, batch["id"])
    target = failed_to or file.with_name(f"{file.stem}.failed.jsonl")
    if failures:
        lines = (json.dumps(f, ensure_ascii=False) for f in failures)
        target.write_text("\n".join(lines) + "\n", encoding="utf-8")
    if as_json:
        _print_json({**view, "failures": failures})
    else:
        table = Table("Kết quả", "Số mục")
        for outcome, count in sorted(view["counts"].items()):
            table.add_row(outcome, str(count))
        console.print(table)
        if failures:
            console.print(f"[yellow]{len(failures)} mục không thành hồ sơ[/yellow]: {target}")
    if failures or view["counts"].get("queued"):
        raise typer.Exit(1)


def _send_batch(
    api: Api, procedure: str, organization: str, items: list[dict[str, Any]]
) -> dict[str, Any]:
    """POST /v1/batches: the items inline if they fit, else through an upload. The key
    is the items' own: the same file again replays the same batch."""
    lines = "".join(json.dumps(i, ensure_ascii=False) + "\n" for i in items).encode("utf-8")
    key = {"Idempotency-Key": hashlib.sha256(lines).hexdigest()}
    body: dict[str, Any] = {"procedure": procedure, "organization": organization}
    if len(lines) <= INLINE_BYTES:
        body["items"] = items
    else:
        body["upload_id"] = api.upload(lines, "application/x-ndjson")
    return dict(api.post("/v1/batches", body, key))


def _follow(api: Api, batch_id: str, total: int, seconds: int, quiet: bool) -> dict[str, Any]:
    """GET /v1/batches/{id} until no item is queued (or ``seconds`` pass), with a progress
    bar unless ``quiet``."""
    deadline = time.monotonic() + seconds
    with Progress(
        TextColumn("Lô {task.fields[batch]}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        disable=quiet,
    ) as progress:
        task = progress.add_task("batch", total=total, batch=batch_id[:8])
        while True:
            with _api_errors():
                view = api.get(f"/v1/batches/{batch_id}")
            progress.update(task, completed=total - view["counts"].get("queued", 0))
            if not view["counts"].get("queued") or time.monotonic() > deadline:
                return dict(view)
            time.sleep(FOLLOW_SECONDS)


def _failures(api: Api, batch_id: str) -> list[dict[str, Any]]:
    """Every item of the batch that did not become a case, page after page."""
    found: list[dict[str, Any]] = []
    after = None
    while True:
        with _api_errors():
            page = api.get(f"/v1/batches/{batch_id}", {"next": after or ""})
        found += page["failures"]
        after = page["next"]
        if after is None:
            return found


@cases_app.command("show")
def cases_show(
    case_id: Annotated[str, typer.Argument(help="the case's id")],
    as_json: Annotated[bool, AS_JSON] = False,
) -> None:
    """A case: its number, status, warnings and steps."""
    api = _api()
    with _api_errors():
        case = api.get(f"/v1/cases/{case_id}")
    if as_json:
        _print_json(case)
    else:
        with _api_errors():
            _show(case, api.procedure_title(case["procedure"]))


@cases_app.command("wait")
def cases_wait(
    case_id: Annotated[str, typer.Argument(help="the case's id")],
    wait_seconds: Annotated[int, typer.Option(help="how long to wait")] = 600,
    as_json: Annotated[bool, AS_JSON] = False,
) -> None:
    """Wait until the case ends (archived, rejected or failed); exit 1 unless archived."""
    api = _api()
    deadline = time.monotonic() + wait_seconds
    while True:
        with _api_errors():
            case = api.get(f"/v1/cases/{case_id}")
        if case["status"] in ENDED or time.monotonic() > deadline:
            break
        time.sleep(FOLLOW_SECONDS)
    if as_json:
        _print_json(case)
    else:
        with _api_errors():
            _show(case, api.procedure_title(case["procedure"]))
    if case["status"] != "archived":
        raise typer.Exit(1)


@records_app.command("search")
def records_search(
    number: Annotated[str | None, typer.Option(help="the document number")] = None,
    card: Annotated[str | None, typer.Option(help="the member's party card")] = None,
    procedure: Annotated[str | None, typer.Option(help="a procedure code")] = None,
    organization: Annotated[str | None, typer.Option(help="an organisation code")] = None,
    archived_from: Annotated[str | None, typer.Option(help="YYYY-MM-DD")] = None,
    archived_to: Annotated[str | None, typer.Option(help="YYYY-MM-DD")] = None,
    limit: Annotated[int, typer.Option(help="records at most")] = 100,
    as_json: Annotated[bool, AS_JSON] = False,
) -> None:
    """Archived records matching the filters, newest first."""
    api = _api()
    query = {
        "number": number or "",
        "card": card or "",
        "procedure": procedure or "",
        "organization": organization or "",
        "archived_from": archived_from or "",
        "archived_to": archived_to or "",
    }
    found: list[dict[str, Any]] = []
    after = ""
    while len(found) < limit:
        with _api_errors():
            page = api.get("/v1/records", {**query, "limit": str(min(100, limit)), "next": after})
        found += page["items"]
        after = page["next"] or ""
        if not after:
            break
    found = found[:limit]
    if as_json:
        _print_json({"items": found})
        return
    table = Table("Mã hồ sơ", "Số", "Thủ tục", "Tổ chức", "Lưu trữ lúc")
    for record in found:
        table.add_row(
            record["id"],
            record["number"],
            record.get("procedure") or "",
            record["organization"],
            record["archived_at"],
        )
    console.print(table)


@records_app.command("get")
def records_get(
    record_id: Annotated[str, typer.Argument(help="the record's id")],
    verify: Annotated[bool, typer.Option("--verify", help="validate it again now")] = False,
    as_json: Annotated[bool, AS_JSON] = False,
) -> None:
    """A record's metadata and its validation."""
    api = _api()
    with _api_errors():
        record = api.get(f"/v1/records/{record_id}", {"verify": "true" if verify else ""})
    if as_json:
        _print_json(record)
        return
    table = Table(show_header=False)
    for label, name in (("Số", "number"), ("Tổ chức", "organization"),
                        ("Lưu trữ lúc", "archived_at"), ("Lưu giữ đến", "retain_until"),
                        ("SHA-256", "sha256")):  # fmt: skip
        table.add_row(label, str(record.get(name) or ""))
    console.print(table)
    if record.get("validation"):
        _report(record["validation"])


@records_app.command("download")
def records_download(
    record_id: Annotated[str, typer.Argument(help="the record's id")],
    output: Annotated[Path | None, typer.Option("-o", "--output", help="where to save")] = None,
    as_json: Annotated[bool, AS_JSON] = False,
) -> None:
    """Save a record's PDF (RECORD_ID.pdf unless -o says where)."""
    api = _api()
    with _api_errors():
        record = api.get(f"/v1/records/{record_id}")
    with _api_errors():
        pdf = api.download(record["download_url"])
    target = output or Path(f"{record_id}.pdf")
    target.write_bytes(pdf)
    if as_json:
        _print_json({"record_id": record_id, "file": str(target), "bytes": len(pdf)})
    else:
        console.print(f"Đã lưu {target} ({len(pdf)} byte)")


@app.command("verify")
def verify_command(
    file: Annotated[Path, typer.Argument(help="the PDF to verify")],
    as_json: Annotated[bool, AS_JSON] = False,
) -> None:
    """Validate every signature in a PDF; exit 0 if the file is valid, 1 if not."""
    try:
        pdf = file.read_bytes()
    except OSError as error:
        _fail(f"{file} cannot be read: {error.strerror}", 2)
    if not pdf.startswith(b"%PDF-"):
        _fail(f"{file} is not a PDF", 2)
    api = _api()
    if len(pdf) > PDF_BODY_BYTES:  # over what one request carries: upload it first
        with _api_errors():
            upload_id = api.upload(pdf, "application/pdf")
        with _api_errors():
            report = api.post("/v1/verifications", {"upload_id": upload_id})
    else:
        with _api_errors():
            report = api.post_pdf("/v1/verifications", pdf)
    if as_json:
        _print_json(report)
    else:
        _report(report)
    if not report["valid"]:
        raise typer.Exit(1)


def _report(report: dict[str, Any]) -> None:
    table = Table("Người ký", "Thời điểm", "Mức", "Tin cậy", "Nguyên vẹn", "Hợp lệ")
    for entry in report["signatures"]:
        stamp = entry.get("timestamp") or {}
        table.add_row(
            str(entry.get("signer") or entry.get("field")),
            str(stamp.get("time") or ""),
            str(entry.get("level") or ""),
            "có" if entry.get("trusted") else "không",
            "có" if entry.get("intact") else "không",
            "[green]hợp lệ[/green]" if entry.get("valid") else "[red]không hợp lệ[/red]",
        )
    console.print(table)
    verdict = "[green]Tệp hợp lệ.[/green]" if report["valid"] else "[red]Tệp không hợp lệ.[/red]"
    console.print(verdict)


def _api() -> Api:
    with _api_errors():
        return Api(saved_login(), keep)


@contextmanager
def _api_errors() -> Iterator[None]:
    """The API's refusals and failures inside the block as a message and exit code 1."""
    try:
        yield
    except ApiError as error:
        _fail(error.message)


def _print_json(value: Any) -> None:
    typer.echo(json.dumps(value, ensure_ascii=False, indent=2))


def _show(case: dict[str, Any], title: str) -> None:
    table = Table(show_header=False)
    table.add_row("Văn bản", title)
    table.add_row("Số", case["number"])
    table.add_row("Tổ chức", case["organization"])
    table.add_row("Trạng thái", case["status"])
    console.print(table)
    for warning in case.get("warnings", []):
        console.print(f"[yellow]Lưu ý[/yellow] {warning['field']}: {warning['problem']}")


def _pool(outputs: Path | None) -> dict[str, str]:
    """Where the user pool is: a local stack's outputs.json, or the environment."""
    if outputs is not None:
        found = json.loads(outputs.read_text(encoding="utf-8"))
        return {
            "client_id": found["user_pool_client_id"],
            "region": found["region"],
            "endpoint": found["aws_endpoint_url"],
        }
    return {
        "client_id": os.environ.get("HOSO_USER_POOL_CLIENT_ID", ""),
        "region": os.environ.get("AWS_REGION", os.environ.get("AWS_DEFAULT_REGION", "")),
        "endpoint": os.environ.get("HOSO_COGNITO_ENDPOINT_URL", ""),
    }


def _new_password(given: str | None) -> str:
    if given:
        return given
    return str(typer.prompt("Mật khẩu mới", hide_input=True, confirmation_prompt=True))


def _fail(message: str, code: int = 1) -> NoReturn:
    console.print(f"[red]Lỗi:[/red] {message}")
    raise typer.Exit(code)


def main() -> None:
    app()


__all__ = ["Login", "app", "main"]
