"""Document storage (S3): working copies of case PDFs and WORM archive objects (Object Lock)."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
from dataclasses import dataclass
from typing import Any

from botocore.exceptions import ClientError

from cloud.errors import error_code, unavailable
from functions.errors import NotFound

PDF = "application/pdf"


@dataclass(frozen=True)
class ArchivedObject:
    """Where an archived PDF lies: key and the exact version."""

    key: str
    version_id: str


class DocumentStore:
    """One bucket with versioning and Object Lock: ``cases/`` working copies, ``records/`` WORM."""

    def __init__(self, client: Any, bucket: str) -> None:
        self._s3 = client
        self._bucket = bucket

    def put_working(self, key: str, pdf: bytes) -> None:
        """Store a draft or partly signed PDF (no retention: may be replaced or removed)."""
        try:
            self._s3.put_object(
                Bucket=self._bucket,
                Key=key,
                Body=pdf,
                ContentType=PDF,
                ChecksumSHA256=_sha256_b64(pdf),
            )
        except ClientError as error:
            raise unavailable("document storage", error) from error

    def delete_working(self, key: str) -> None:
        """Remove a working copy nobody refers to (a lost race, a failed step)."""
        self._s3.delete_object(Bucket=self._bucket, Key=key)

    def get(self, key: str, version_id: str | None = None) -> bytes:
        """The bytes of a stored PDF; NotFound if absent."""
        extra = {"VersionId": version_id} if version_id else {}
        try:
            response = self._s3.get_object(Bucket=self._bucket, Key=key, **extra)
        except ClientError as error:
            if error_code(error) in {"NoSuchKey", "NoSuchVersion", "404"}:
                raise NotFound(f"document {key} does not exist") from error
            raise unavailable("document storage", error) from error
        return bytes(response["Body"].read())

    def archive(self, key: str, pdf: bytes, retain_until: dt.datetime) -> ArchivedObject:
        """Store a final PDF under COMPLIANCE retention until ``retain_until``."""
        try:
            response = self._s3.put_object(
                Bucket=self._bucket,
                Key=key,
                Body=pdf,
                ContentType=PDF,
                ChecksumSHA256=_sha256_b64(pdf),
                ContentMD5=base64.b64encode(
                    hashlib.md5(pdf, usedforsecurity=False).digest()
                ).decode(),
                ObjectLockMode="COMPLIANCE",
                ObjectLockRetainUntilDate=retain_until,
            )
        except ClientError as error:
            raise unavailable("the archive", error) from error
        return ArchivedObject(key=key, version_id=str(response["VersionId"]))

    def download_url(self, archived: ArchivedObject, ttl_seconds: int, file_name: str) -> str:
        """A presigned GET URL for one archived version."""
        return str(
            self._s3.generate_presigned_url(
                "get_object",
                Params={
                    "Bucket": self._bucket,
                    "Key": archived.key,
                    "VersionId": archived.version_id,
                    "ResponseContentType": PDF,
                    "ResponseContentDisposition": f'attachment; filename="{file_name}"',
                },
                ExpiresIn=ttl_seconds,
            )
        )


def _sha256_b64(data: bytes) -> str:
    return base64.b64encode(hashlib.sha256(data).digest()).decode("ascii")
