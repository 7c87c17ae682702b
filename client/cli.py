"""The `hoso` command: sign in, and sign a case with a key on a PKCS#11 token (USB token).

`hoso login` signs in to the user pool (USER_PASSWORD_AUTH), answering the new-password
challenge of a first sign-in, and keeps the tokens in the user's config directory (0600);
later commands refresh the ID token when it has expired. `hoso sign` shows the case, asks
the API for the digest to sign, signs it on the token (the private key never leaves it)
and hands the signature back.
"""

from __future__ import annotations

import base64
import json
import os
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from client.api import Api, ApiError
from client.session import Login, login, saved_login
from client.token import TokenError, TokenKey

app = typer.Typer(help="hoso: Party procedures, signed and archived.", no_args_is_help=True)
console = Console()


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
        api = Api(saved_login())
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


def _fail(message: str) -> None:
    console.print(f"[red]Lỗi:[/red] {message}")
    raise typer.Exit(1)


def main() -> None:
    app()


__all__ = ["Login", "app", "main"]
