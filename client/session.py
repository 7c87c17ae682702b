"""A person's sign-in to the user pool: made, kept (0600, the user's config folder) and
refreshed when its ID token has expired."""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import boto3
import typer
from botocore.exceptions import BotoCoreError, ClientError

from client.api import ApiError

EARLY_SECONDS = 60  # an ID token this close to expiring is refreshed first


@dataclass
class Login:
    """What a sign-in leaves: the tokens, when the ID token expires, and where to go."""

    username: str
    api_url: str
    id_token: str
    refresh_token: str
    expires_at: float
    client_id: str
    region: str
    endpoint: str

    @property
    def expired(self) -> bool:
        return time.time() >= self.expires_at - EARLY_SECONDS


def login_file() -> Path:
    """Where the sign-in is kept: $HOSO_CONFIG_DIR, else the user's config folder."""
    folder = os.environ.get("HOSO_CONFIG_DIR") or typer.get_app_dir("hoso")
    return Path(folder) / "login.json"


def login(
    username: str,
    password: str,
    api_url: str,
    pool: dict[str, str],
    new_password: Callable[[], str],
) -> Login:
    """Sign in (USER_PASSWORD_AUTH), answering NEW_PASSWORD_REQUIRED with ``new_password()``;
    the sign-in is kept and returned."""
    cognito = _cognito(pool)
    answer = _call(
        lambda: cognito.initiate_auth(
            ClientId=pool["client_id"],
            AuthFlow="USER_PASSWORD_AUTH",
            AuthParameters={"USERNAME": username, "PASSWORD": password},
        )
    )
    if answer.get("ChallengeName") == "NEW_PASSWORD_REQUIRED":
        chosen = new_password()
        answer = _call(
            lambda: cognito.respond_to_auth_challenge(
                ClientId=pool["client_id"],
                ChallengeName="NEW_PASSWORD_REQUIRED",
                Session=answer["Session"],
                ChallengeResponses={"USERNAME": username, "NEW_PASSWORD": chosen},
            )
        )
    elif answer.get("ChallengeName"):
        raise ApiError(f"the sign-in asks {answer['ChallengeName']}, which hoso does not answer")
    result = answer["AuthenticationResult"]
    found = Login(
        username=username,
        api_url=api_url.rstrip("/"),
        id_token=result["IdToken"],
        refresh_token=result["RefreshToken"],
        expires_at=time.time() + int(result["ExpiresIn"]),
        client_id=pool["client_id"],
        region=pool["region"],
        endpoint=pool["endpoint"],
    )
    keep(found)
    return found


def saved_login() -> Login:
    """The kept sign-in, its ID token refreshed if it has expired; ApiError if there is none."""
    path = login_file()
    if not path.exists():
        raise ApiError("not signed in: run `hoso login` first")
    found = Login(**json.loads(path.read_text(encoding="utf-8")))
    if found.expired:
        refresh(found)
        keep(found)
    return found


def refresh(found: Login) -> None:
    """A new ID token for ``found`` from its refresh token (REFRESH_TOKEN_AUTH): a command
    that runs longer than the token lasts (following a batch of 100,000) goes on."""
    pool = {"client_id": found.client_id, "region": found.region, "endpoint": found.endpoint}
    answer = _call(
        lambda: _cognito(pool).initiate_auth(
            ClientId=found.client_id,
            AuthFlow="REFRESH_TOKEN_AUTH",
            AuthParameters={"REFRESH_TOKEN": found.refresh_token},
        )
    )
    result = answer["AuthenticationResult"]
    found.id_token = result["IdToken"]
    found.expires_at = time.time() + int(result["ExpiresIn"])


def keep(found: Login) -> None:
    """Keep ``found`` as the sign-in of the next commands (0600)."""
    path = login_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as file:
        json.dump(asdict(found), file)
    path.chmod(0o600)


def _cognito(pool: dict[str, str]) -> Any:
    if not pool.get("client_id") or not pool.get("region"):
        raise ApiError(
            "the user pool is unknown: pass --outputs, or set HOSO_USER_POOL_CLIENT_ID and "
            "AWS_REGION"
        )
    return boto3.client(
        "cognito-idp",
        region_name=pool["region"],
        endpoint_url=pool.get("endpoint") or None,
        aws_access_key_id="none",  # the sign-in calls need no AWS credentials
        aws_secret_access_key="none",  # noqa: S106 (not a secret: a placeholder)
    )


def _call(request: Callable[[], Any]) -> Any:
    try:
        return request()
    except ClientError as error:
        message = error.response.get("Error", {}).get("Message", "the sign-in was refused")
        raise ApiError(str(message)) from error
    except BotoCoreError as error:
        raise ApiError(f"the user pool cannot be reached: {error}") from error
