"""The one place that wires AWS adapters, settings and the catalogue into Services."""

from __future__ import annotations

import datetime as dt
import os
import threading
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import boto3
from botocore.config import Config

from cloud.archive import DocumentStore
from cloud.events import EventBus
from cloud.identity import TokenVerifier
from cloud.keys import KmsKeys, KmsMacs
from cloud.queue import WorkQueue
from cloud.table import CaseTable
from cloud.users import CognitoUsers
from functions.services import Services
from functions.settings import Settings
from signing.terms import TrustSettings
from templates import STAMP_FONT_FILE
from templates.catalogue import Catalogue


def utc_now() -> dt.datetime:
    """The platform clock."""
    return dt.datetime.now(dt.UTC).replace(microsecond=0)


def boto_client(settings: Settings, service: str) -> Any:
    """A boto3 client for ``service`` in the stage's region (and endpoint, locally).

    S3's presigned URLs are signed with SigV4 against the bucket's regional host: botocore
    would otherwise presign with SigV2 on the global endpoint, which S3 refuses for buckets
    made since 2020 and for every KMS-encrypted object (moto takes either)."""
    config = Config(retries={"mode": "standard", "max_attempts": 4})
    if service == "s3":
        addressing = "path" if settings.aws_endpoint_url else "virtual"
        config = config.merge(Config(signature_version="s3v4", s3={"addressing_style": addressing}))
    return boto3.client(
        service, region_name=settings.region, endpoint_url=settings.aws_endpoint_url, config=config
    )


class ClientOnFirstUse:
    """A boto3 client made at its first call: a cold start pays only for the services its
    first route calls (botocore reads each service's model when a client is made: about
    50 ms a client)."""

    def __init__(self, make: Callable[[], Any]) -> None:
        self._make = make
        self._client: Any = None
        self._lock = threading.Lock()

    def __getattr__(self, name: str) -> Any:
        if self._client is None:
            with self._lock:
                if self._client is None:
                    self._client = self._make()
        return getattr(self._client, name)


def build_services(
    env: Mapping[str, str] | None = None,
    clock: Callable[[], dt.datetime] = utc_now,
    make_client: Callable[[Settings, str], Any] = boto_client,
) -> tuple[Services, TokenVerifier]:
    """Services and the token verifier for the stage described by ``env`` (default:
    os.environ), telling the time by ``clock``, with AWS clients from ``make_client``
    (tests pass their own to pin the time or inject faults)."""
    settings = Settings.from_env(os.environ if env is None else env)

    def client(service: str) -> Any:
        return ClientOnFirstUse(lambda: make_client(settings, service))

    kms = client("kms")
    services = Services(
        settings=settings,
        cases=CaseTable(client("dynamodb"), settings.table),
        documents=DocumentStore(client("s3"), settings.bucket, settings.archive_key_id),
        events=EventBus(client("events"), settings.event_bus),
        keys=KmsKeys(kms),
        index=KmsMacs(kms, settings.index_key_id),
        users=CognitoUsers(
            client("cognito-idp"), settings.user_pool_id, settings.user_pool_client_id
        ),
        catalogue=Catalogue(check_schemas=False),  # checked by the tests: see Catalogue
        trust=TrustSettings.from_files(
            Path(settings.trust_anchors_file), settings.tsa_url, STAMP_FONT_FILE
        ),
        clock=clock,
        queue=WorkQueue(client("sqs"), settings.work_queue_url),
    )
    verifier = TokenVerifier(settings.jwks_url, settings.token_issuer, settings.user_pool_client_id)
    return services, verifier
