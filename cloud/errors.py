"""Turning botocore errors into the domain's errors."""

from __future__ import annotations

from botocore.exceptions import BotoCoreError, ClientError

from functions.errors import Unavailable


def error_code(error: ClientError) -> str:
    """The AWS error code of a ClientError (``ConditionalCheckFailedException``, ...)."""
    return str(error.response.get("Error", {}).get("Code", ""))


def unavailable(service: str, error: ClientError | BotoCoreError) -> Unavailable:
    """An Unavailable for an AWS call that failed for reasons not the caller's."""
    code = error_code(error) if isinstance(error, ClientError) else type(error).__name__
    return Unavailable(f"{service} is not available right now ({code}); nothing was changed")
