"""The user pool (Cognito): the accounts people sign in with, created and disabled by admins,
and the web app's sign-in (USER_PASSWORD_AUTH through the app client, refreshed tokens)."""

from __future__ import annotations

import secrets
import string
from typing import Any

from botocore.exceptions import ClientError

from cloud.errors import aws_errors, error_code
from functions.errors import DomainError, Invalid, Problem, Unauthorized
from functions.services import SignIn

SERVICE = "the user pool"
# A temporary password the template's PasswordPolicy accepts (12+, every character class).
PASSWORD_LENGTH = 20
PASSWORD_SYMBOLS = "!#%+-=?@^_"  # noqa: S105 (the symbols a password may use)


def temporary_password() -> str:
    """A random password with a lower-case letter, a capital, a digit and a symbol."""
    alphabet = string.ascii_letters + string.digits + PASSWORD_SYMBOLS
    while True:
        password = "".join(secrets.choice(alphabet) for _ in range(PASSWORD_LENGTH))
        if (
            any(c.islower() for c in password)
            and any(c.isupper() for c in password)
            and any(c.isdigit() for c in password)
            and any(c in PASSWORD_SYMBOLS for c in password)
        ):
            return password


class _Exists(DomainError):
    pass


def _exists(error: ClientError) -> DomainError | None:
    return _Exists("the user exists") if error_code(error) == "UsernameExistsException" else None


class CognitoUsers:
    """Accounts of one user pool, in its groups (one per role)."""

    def __init__(self, client: Any, pool_id: str, client_id: str) -> None:
        self._cognito = client
        self._pool = pool_id
        self._client_id = client_id

    def sign_in(self, username: str, password: str) -> SignIn:
        """USER_PASSWORD_AUTH: the tokens, or the new-password challenge of a first sign-in.
        Unauthorized for a wrong password, an unknown or a disabled user alike."""
        with aws_errors(SERVICE, _refused):
            answer = self._cognito.initiate_auth(
                ClientId=self._client_id,
                AuthFlow="USER_PASSWORD_AUTH",
                AuthParameters={"USERNAME": username, "PASSWORD": password},
            )
        return _sign_in(answer)

    def answer_new_password(self, username: str, challenge: str, new_password: str) -> SignIn:
        """Answer NEW_PASSWORD_REQUIRED (``challenge`` is its session); Invalid (422) if the
        pool's password policy refuses ``new_password``."""
        with aws_errors(SERVICE, _refused):
            answer = self._cognito.respond_to_auth_challenge(
                ClientId=self._client_id,
                ChallengeName="NEW_PASSWORD_REQUIRED",
                Session=challenge,
                ChallengeResponses={"USERNAME": username, "NEW_PASSWORD": new_password},
            )
        return _sign_in(answer)

    def refresh(self, refresh_token: str) -> SignIn:
        """New ID token for a refresh token; Unauthorized once it is expired or revoked."""
        with aws_errors(SERVICE, _refused):
            answer = self._cognito.initiate_auth(
                ClientId=self._client_id,
                AuthFlow="REFRESH_TOKEN_AUTH",
                AuthParameters={"REFRESH_TOKEN": refresh_token},
            )
        return _sign_in(answer, refresh_token)

    def create(self, username: str, role: str, email: str | None) -> str | None:
        """Make the account of ``username`` in ``role``'s group, enabled, with a temporary
        password that the first sign-in must change (NEW_PASSWORD_REQUIRED).

        With ``email``, Cognito mails the invitation and its own temporary password, and
        None is returned; without, the password is returned (to be handed over by the
        admin) and nothing is sent. An account that exists already (a retried creation)
        gets a new temporary password the same way."""
        password = None if email else temporary_password()
        request: dict[str, Any] = {"UserPoolId": self._pool, "Username": username}
        if email:
            request["UserAttributes"] = [
                {"Name": "email", "Value": email},
                {"Name": "email_verified", "Value": "true"},
            ]
            request["DesiredDeliveryMediums"] = ["EMAIL"]
        else:
            request["TemporaryPassword"] = password
            request["MessageAction"] = "SUPPRESS"
        try:
            with aws_errors(SERVICE, _exists):
                self._cognito.admin_create_user(**request)
        except _Exists:
            with aws_errors(SERVICE):
                if email:
                    self._cognito.admin_create_user(**request, MessageAction="RESEND")
                else:
                    self._cognito.admin_set_user_password(
                        UserPoolId=self._pool, Username=username, Password=password, Permanent=False
                    )
        self.set_role(username, None, role)
        self.enable(username)
        return password

    def set_role(self, username: str, before: str | None, after: str) -> None:
        """Move the account from ``before``'s group (if any) to ``after``'s."""
        with aws_errors(SERVICE):
            if before and before != after:
                self._cognito.admin_remove_user_from_group(
                    UserPoolId=self._pool, Username=username, GroupName=before
                )
            self._cognito.admin_add_user_to_group(
                UserPoolId=self._pool, Username=username, GroupName=after
            )

    def enable(self, username: str) -> None:
        with aws_errors(SERVICE):
            self._cognito.admin_enable_user(UserPoolId=self._pool, Username=username)

    def disable(self, username: str) -> None:
        """The account can no longer sign in (its tokens already issued are refused by the
        directory, which the API reads on every request)."""
        try:
            with aws_errors(SERVICE, _missing):
                self._cognito.admin_disable_user(UserPoolId=self._pool, Username=username)
        except _Missing:
            return  # no account: nothing to disable

    def set_password(self, username: str, password: str) -> None:
        """A permanent password (the local stack's demo users only)."""
        with aws_errors(SERVICE):
            self._cognito.admin_set_user_password(
                UserPoolId=self._pool, Username=username, Password=password, Permanent=True
            )


class _Missing(DomainError):
    pass


def _missing(error: ClientError) -> DomainError | None:
    return _Missing("no such user") if error_code(error) == "UserNotFoundException" else None


def _sign_in(answer: dict[str, Any], refresh_token: str | None = None) -> SignIn:
    """A sign-in call's answer: its tokens (the refresh token kept if none came back), or
    the new-password challenge; any other challenge cannot be answered here."""
    if answer.get("ChallengeName") == "NEW_PASSWORD_REQUIRED":
        return SignIn(challenge=answer["Session"])
    if answer.get("ChallengeName"):
        raise Unauthorized(
            f"the sign-in asks {answer['ChallengeName']}, which hoso does not answer"
        )
    result = answer["AuthenticationResult"]
    return SignIn(
        id_token=result["IdToken"],
        refresh_token=result.get("RefreshToken") or refresh_token,
        expires_in=int(result["ExpiresIn"]),
    )


def _refused(error: ClientError) -> DomainError | None:
    """What a person did wrong, as the sign-in's answer; the service's own faults stay
    Unavailable (aws_errors)."""
    code = error_code(error)
    if code in {
        "NotAuthorizedException",
        "UserNotFoundException",
        "PasswordResetRequiredException",
    }:
        return Unauthorized("the user name or the password is wrong")
    if code == "InvalidPasswordException":
        return Invalid(
            "the new password does not meet the password policy",
            [
                Problem(
                    "new_password",
                    "12 characters or more, with a capital, a small letter, a digit and a symbol",
                )
            ],
        )
    if code in {"CodeMismatchException", "ExpiredCodeException", "InvalidParameterException"}:
        return Unauthorized("the sign-in has expired: sign in again")
    return None
