"""Document storage (S3): working copies of case PDFs and WORM archive objects (Object Lock)."""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

from botocore.exceptions import ClientError, FlexibleChecksumError

from cloud.errors import aws_errors, error_code
from functions.errors import CHECKSUM_MISMATCH, DomainError, NotFound, Refused, Unavailable

PDF = "application/pdf"


@dataclass(frozen=True)
class ArchivedObject:
    """Where an archived PDF lies: key and the exact version."""

    key: str
    version_id: str


def _missing(key: str) -> Any:
    def known(error: ClientError) -> DomainError | None:
        if error_code(error) in {"NoSuchKey", "NoSuchVersion", "404"}:
            return NotFound(f"document {key} does not exist")
        return None

    return known


@contextmanager
def _checked_read(key: str) -> Iterator[None]:
    """A read of ``key`` whose bytes botocore checks against the SHA-256 S3 kept: NotFound
    if absent, Refused if the bytes do not match, Unavailable if S3 did not answer."""
    try:
        with aws_errors("document storage", _missing(key)):
            yield
    except Unavailable as error:
        if isinstance(error.__cause__, FlexibleChecksumError):
            raise Refused(
                CHECKSUM_MISMATCH, f"the bytes of {key} do not match the checksum S3 kept"
            ) from error
        raise


class DocumentStore:
    """One bucket with versioning and Object Lock: ``cases/`` working copies, ``records/`` WORM.

    Every put carries a SHA-256 checksum that S3 verifies (``ChecksumAlgorithm``) and the
    hex digest as metadata, by which an archive retry finds a copy it already wrote, and
    names the KMS key S3 encrypts it with (the bucket's default too, named here so that no
    object depends on a bucket setting someone could change).
    """

    def __init__(self, client: Any, bucket: str, encryption_key_id: str) -> None:
        self._s3 = client
        self._bucket = bucket
        self._encryption = {
            "ServerSideEncryption": "aws:kms",
            "SSEKMSKeyId": encryption_key_id,
            "BucketKeyEnabled": True,
        }

    def put_working(self, key: str, data: bytes, content_type: str = PDF) -> None:
        """Store a working object: a draft or partly signed PDF, a batch's items (no
        retention: removed once the case ends, or by the bucket's lifecycle)."""
        with aws_errors("document storage"):
            self._s3.put_object(
                Bucket=self._bucket,
                Key=key,
                Body=data,
                ContentType=content_type,
                ChecksumAlgorithm="SHA256",
                Metadata={"sha256": hashlib.sha256(data).hexdigest()},
                **self._encryption,
            )

    def copy_working(self, source: str, target: str) -> None:
        """Copy one working object to another key inside S3 (an upload that becomes a
        batch's items), its SHA-256 checksum and metadata with it; NotFound if absent."""
        with aws_errors("document storage", _missing(source)):
            self._s3.copy_object(
                Bucket=self._bucket,
                Key=target,
                CopySource={"Bucket": self._bucket, "Key": source},
                ChecksumAlgorithm="SHA256",
                MetadataDirective="COPY",
                **self._encryption,
            )

    def read_range(self, key: str, start: int, length: int) -> tuple[bytes, int]:
        """Up to ``length`` bytes of ``key`` from byte ``start``, and the object's size."""
        with aws_errors("document storage", _missing(key)):
            response = self._s3.get_object(
                Bucket=self._bucket, Key=key, Range=f"bytes={start}-{start + length - 1}"
            )
            data = bytes(response["Body"].read())
        return data, int(str(response["ContentRange"]).rpartition("/")[2])

    def lines(self, key: str) -> Iterator[bytes]:
        """The lines of a (JSON-lines) object, read as a stream: never all of it at once.
        S3's SHA-256 is checked when the stream ends; a mismatch raises Refused then."""
        with _checked_read(key):
            response = self._s3.get_object(Bucket=self._bucket, Key=key, ChecksumMode="ENABLED")
            yield from response["Body"].iter_lines(chunk_size=65_536, keepends=True)

    def delete_working(self, key: str) -> None:
        """Remove every version of one working copy nobody refers to (a lost race)."""
        self.remove_drafts(key, exact=True)

    def remove_drafts(self, prefix: str, exact: bool = False) -> int:
        """Delete every version and delete marker under ``prefix`` (only ``prefix`` itself
        when ``exact``): a versioned bucket would otherwise keep them. Returns how many."""
        doomed = [(k, v) for k, v in self.versions(prefix) if not exact or k == prefix]
        with aws_errors("document storage"):
            for key, version_id in doomed:
                self._s3.delete_object(Bucket=self._bucket, Key=key, VersionId=version_id)
        return len(doomed)

    def versions(self, prefix: str) -> list[tuple[str, str]]:
        """(key, version id) of every version and delete marker under ``prefix``."""
        found = []
        with aws_errors("document storage"):
            pages = self._s3.get_paginator("list_object_versions").paginate(
                Bucket=self._bucket, Prefix=prefix
            )
            for page in pages:
                for version in page.get("Versions", []) + page.get("DeleteMarkers", []):
                    found.append((str(version["Key"]), str(version["VersionId"])))
        return found

    def get(self, key: str, version_id: str | None = None) -> bytes:
        """The bytes of a stored object; NotFound if absent. S3 sends the SHA-256 it kept
        (``ChecksumMode``) and botocore checks the bytes against it on every read."""
        extra = {"VersionId": version_id} if version_id else {}
        with _checked_read(key):
            response = self._s3.get_object(
                Bucket=self._bucket, Key=key, ChecksumMode="ENABLED", **extra
            )
            return bytes(response["Body"].read())

    def archive(
        self,
        key: str,
        data: bytes,
        retain_until: dt.datetime,
        content_type: str = PDF,
        *,
        first: bool = False,
    ) -> ArchivedObject:
        """Store a final object (a record's PDF, its manifest) under COMPLIANCE retention
        until ``retain_until``.

        Idempotent: if a version of ``key`` with the same SHA-256 is already there (an
        earlier attempt wrote it, then failed before indexing it), that version is
        returned instead of writing a second locked copy nobody could delete. ``first``:
        the caller has just seen that no earlier attempt wrote anything, so no version
        is looked for (one listing less).
        """
        digest = hashlib.sha256(data).hexdigest()
        existing = None if first else self._version_with(key, digest)
        if existing is not None:
            return existing
        with aws_errors("the archive"):
            response = self._s3.put_object(
                Bucket=self._bucket,
                Key=key,
                Body=data,
                ContentType=content_type,
                ChecksumAlgorithm="SHA256",
                Metadata={"sha256": digest},
                ObjectLockMode="COMPLIANCE",
                ObjectLockRetainUntilDate=retain_until,
                **self._encryption,
            )
        return ArchivedObject(key=key, version_id=str(response["VersionId"]))

    def first_version(self, key: str) -> ArchivedObject | None:
        """The oldest version of ``key`` (a manifest an earlier attempt wrote), or None.
        Records are never deleted, so a key with no current version has none: one HEAD
        answers the common case, a listing only when there is something to find."""
        try:
            with aws_errors("the archive", _missing(key)):
                self._s3.head_object(Bucket=self._bucket, Key=key)
        except NotFound:
            return None
        found = [version for found_key, version in self.versions(key) if found_key == key]
        return ArchivedObject(key=key, version_id=found[-1]) if found else None

    def _version_with(self, key: str, sha256: str) -> ArchivedObject | None:
        for found_key, version_id in self.versions(key):
            if found_key != key:
                continue
            with aws_errors("the archive", _missing(key)):
                head = self._s3.head_object(Bucket=self._bucket, Key=key, VersionId=version_id)
            if head.get("Metadata", {}).get("sha256") == sha256:
                return ArchivedObject(key=key, version_id=version_id)
        return None

    def upload_url(
        self, key: str, sha256: str, ttl_seconds: int, content_type: str = PDF
    ) -> tuple[str, dict[str, str]]:
        """A presigned PUT of one file (a PDF, a batch's items) to ``key``, and the headers
        its request must carry.

        The SHA-256 (hex) is signed into the URL twice: as S3's checksum header, so S3 takes
        no other file, and as the ``sha256`` metadata every object here carries. S3 encrypts
        it with the bucket's default key (the archive key)."""
        checksum = base64.b64encode(bytes.fromhex(sha256)).decode("ascii")
        url = self._s3.generate_presigned_url(
            "put_object",
            Params={
                "Bucket": self._bucket,
                "Key": key,
                "ContentType": content_type,
                "ChecksumSHA256": checksum,
                "Metadata": {"sha256": sha256},
            },
            ExpiresIn=ttl_seconds,
        )
        headers = {
            "Content-Type": content_type,
            "x-amz-checksum-sha256": checksum,
            "x-amz-meta-sha256": sha256,
        }
        return str(url), headers

    def uploaded(self, key: str) -> tuple[int, str | None]:
        """The size of the object at ``key`` and the SHA-256 its uploader declared (None if it
        declared none); NotFound if there is none."""
        with aws_errors("document storage", _missing(key)):
            head = self._s3.head_object(Bucket=self._bucket, Key=key)
        return int(head["ContentLength"]), head.get("Metadata", {}).get("sha256")

    def retention(self, archived: ArchivedObject) -> tuple[str, dt.datetime]:
        """The Object Lock mode and retain-until date of one archived version."""
        with aws_errors("the archive", _missing(archived.key)):
            head = self._s3.head_object(
                Bucket=self._bucket, Key=archived.key, VersionId=archived.version_id
            )
        return str(head["ObjectLockMode"]), head["ObjectLockRetainUntilDate"]

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
