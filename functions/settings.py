"""The one settings object: every configuration value, read from an environment mapping."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass


@dataclass(frozen=True)
class Settings:
    """Configuration for one stage; built by the bootstrap from the process environment."""

    stage: str
    region: str
    bucket: str
    table: str
    event_bus: str
    user_pool_id: str
    user_pool_client_id: str
    jwks_url: str
    token_issuer: str
    tsa_url: str
    trust_anchors_file: str
    index_key_id: str  # KMS HMAC key: party-card numbers in the search index, page tokens
    archive_key_id: str  # KMS key S3 encrypts every object of the archive bucket with
    aws_endpoint_url: str | None = None
    work_queue_url: str = ""  # the batches' queue (functions/batches.py)
    # deliveries of a work message before it goes to the dead-letter queue: the template's
    # maxReceiveCount; the worker records an item as failed on its last one
    queue_max_receives: int = 5
    download_url_ttl_seconds: int = 300
    max_body_bytes: int = 1_000_000
    # A PDF sent in a request body: Lambda takes 6 MB per request and base64 makes 4.5 MB of
    # a PDF; larger files go through a presigned upload.
    max_pdf_bytes: int = 4_500_000
    # A PDF uploaded to S3 (POST /v1/uploads) for a verification or an import: a scanned
    # file of a few hundred pages; the URL to put it is valid this long.
    max_upload_bytes: int = 100_000_000
    # The OCSP responders and CRL addresses a verification asked to go online may fetch from
    # (signing/fetching.py); none: online verification is off.
    online_validation_urls: tuple[str, ...] = ()
    upload_url_ttl_seconds: int = 900
    # Automatic steps (seal, archive) that meet a transient error are retried with back-off
    # (first delay, doubling up to the longest) until the budget runs out; then the case fails.
    retry_budget_seconds: int = 24 * 3600
    retry_first_delay_seconds: int = 60
    retry_longest_delay_seconds: int = 3600
    # A request that commits a case with an automatic step ahead runs it at once; the sweep
    # takes it over only after this lease, so the two rarely race for it.
    step_lease_seconds: int = 120
    # Working drafts of a failed (or rejected) case are kept this long, then removed.
    draft_retention_days: int = 30
    signing_session_seconds: int = 600  # how long an officer's token has to sign
    # A sweep takes up due cases for this long (a seal takes about a second; the function's
    # timeout is 60 s); what is left waits for the next sweep.
    sweep_seconds: int = 40
    # Archived records each sweep audits again (functions/audit.py), carrying on from where
    # the last one stopped: 20 every 5 minutes goes through 5,760 records a day.
    audit_batch: int = 20
    # The audit renews a record's archival timestamp once the certificate of its newest
    # document timestamp expires within this many days.
    renewal_margin_days: int = 365

    @classmethod
    def from_env(cls, env: Mapping[str, str]) -> Settings:
        """Read HOSO_* variables (and the AWS region/endpoint) from ``env``."""

        def need(name: str) -> str:
            value = env.get(name, "").strip()
            if not value:
                raise RuntimeError(f"setting {name} is missing from the environment")
            return value

        region = env.get("AWS_REGION") or env.get("AWS_DEFAULT_REGION") or "ap-southeast-1"
        pool_id = need("HOSO_USER_POOL_ID")
        issuer = env.get("HOSO_TOKEN_ISSUER") or (
            f"https://cognito-idp.{region}.amazonaws.com/{pool_id}"
        )
        return cls(
            stage=env.get("HOSO_STAGE", "local"),
            region=region,
            bucket=need("HOSO_BUCKET"),
            table=need("HOSO_TABLE"),
            event_bus=need("HOSO_EVENT_BUS"),
            user_pool_id=pool_id,
            user_pool_client_id=need("HOSO_USER_POOL_CLIENT_ID"),
            jwks_url=env.get("HOSO_JWKS_URL") or f"{issuer}/.well-known/jwks.json",
            token_issuer=issuer,
            tsa_url=need("HOSO_TSA_URL"),
            trust_anchors_file=need("HOSO_TRUST_ANCHORS_FILE"),
            index_key_id=need("HOSO_INDEX_KEY_ID"),
            archive_key_id=need("HOSO_ARCHIVE_KEY_ID"),
            aws_endpoint_url=env.get("AWS_ENDPOINT_URL") or None,
            work_queue_url=env.get("HOSO_WORK_QUEUE_URL", ""),
            queue_max_receives=int(env.get("HOSO_WORK_QUEUE_MAX_RECEIVES", "5")),
            download_url_ttl_seconds=int(env.get("HOSO_DOWNLOAD_URL_TTL_SECONDS", "300")),
            max_body_bytes=int(env.get("HOSO_MAX_BODY_BYTES", "1000000")),
            max_pdf_bytes=int(env.get("HOSO_MAX_PDF_BYTES", "4500000")),
            max_upload_bytes=int(env.get("HOSO_MAX_UPLOAD_BYTES", "100000000")),
            online_validation_urls=tuple(
                url.strip()
                for url in env.get("HOSO_ONLINE_VALIDATION_URLS", "").split(",")
                if url.strip()
            ),
            upload_url_ttl_seconds=int(env.get("HOSO_UPLOAD_URL_TTL_SECONDS", "900")),
            retry_budget_seconds=int(env.get("HOSO_RETRY_BUDGET_SECONDS", str(24 * 3600))),
            retry_first_delay_seconds=int(env.get("HOSO_RETRY_FIRST_DELAY_SECONDS", "60")),
            retry_longest_delay_seconds=int(env.get("HOSO_RETRY_LONGEST_DELAY_SECONDS", "3600")),
            step_lease_seconds=int(env.get("HOSO_STEP_LEASE_SECONDS", "120")),
            draft_retention_days=int(env.get("HOSO_DRAFT_RETENTION_DAYS", "30")),
            signing_session_seconds=int(env.get("HOSO_SIGNING_SESSION_SECONDS", "600")),
            sweep_seconds=int(env.get("HOSO_SWEEP_SECONDS", "40")),
            audit_batch=int(env.get("HOSO_AUDIT_BATCH", "20")),
            renewal_margin_days=int(env.get("HOSO_RENEWAL_MARGIN_DAYS", "365")),
        )
