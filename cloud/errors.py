"""Turning every botocore error into one of the domain's errors."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from botocore.exceptions import BotoCoreError, ClientError

from functions.errors import DomainError, Unavailable


def error_code(error: ClientError) -> str:
    """The AWS error code of a ClientError (``ConditionalCheckFailedException``, ...)."""
    return str(error.response.get("Error", {}).get("Code", ""))


def unavailable(service: str, error: ClientError | BotoCoreError) -> Unavailable:
    """An Unavailable for an AWS call that failed for reasons not the caller's."""
    code = error_code(error) if isinstance(error, ClientError) else type(error).__name__
    return Unavailable(f"{service} is not available right now ({code})")


@contextmanager
def aws_errors(
    service: str, known: Callable[[ClientError], DomainError | None] | None = None
) -> Iterator[None]:
    """Run AWS calls whose every botocore error becomes a domain error.

    ``known`` maps the ClientErrors the caller expects (a failed condition, a missing key)
    to their own error; everything else (throttling, 5xx, connection or read timeouts,
    credentials) is Unavailable: a transient failure, tried again later.
    """
    try:
        yield
    except ClientError as error:
        raise (known(error) if known else None) or unavailable(service, error) from error
    except BotoCoreError as error:
        raise unavailable(service, error) from error
