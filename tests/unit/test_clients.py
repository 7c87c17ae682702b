"""The AWS clients the bootstrap makes: presigned URLs S3 accepts in AWS, not only in moto."""

from __future__ import annotations

from urllib.parse import parse_qs, urlparse

import pytest

from cloud.archive import ArchivedObject, DocumentStore
from cloud.bootstrap import boto_client
from functions.settings import Settings

ENV = {
    "AWS_REGION": "ap-southeast-1",
    "HOSO_BUCKET": "hoso-archive-prod-123456789012",
    "HOSO_TABLE": "hoso-prod",
    "HOSO_EVENT_BUS": "hoso-prod",
    "HOSO_USER_POOL_ID": "ap-southeast-1_abc",
    "HOSO_USER_POOL_CLIENT_ID": "client",
    "HOSO_TSA_URL": "https://tsa.example/",
    "HOSO_TRUST_ANCHORS_FILE": "trust/anchors.pem",
    "HOSO_INDEX_KEY_ID": "index-key",
    "HOSO_ARCHIVE_KEY_ID": "arn:aws:kms:ap-southeast-1:123456789012:key/archive",
}


@pytest.fixture(autouse=True)
def aws_as_in_lambda(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "AKIDEXAMPLE")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "secret")
    for name in ("AWS_ENDPOINT_URL", "AWS_ENDPOINT_URL_S3"):  # boto3 reads them itself
        monkeypatch.delenv(name, raising=False)


def _download_url(env: dict[str, str]) -> str:
    settings = Settings.from_env(env)
    store = DocumentStore(boto_client(settings, "s3"), settings.bucket, settings.archive_key_id)
    return store.download_url(ArchivedObject("records/r.pdf", "v1"), 300, "r.pdf")


def test_download_urls_are_sigv4_on_the_buckets_regional_host() -> None:
    # SigV2 (botocore's default for presigning) is refused by S3 for buckets made since
    # 2020 and for every KMS-encrypted object; the global host answers with a redirect
    url = urlparse(_download_url(ENV))
    assert url.scheme == "https"
    assert url.netloc == "hoso-archive-prod-123456789012.s3.ap-southeast-1.amazonaws.com"
    query = parse_qs(url.query)
    assert query["X-Amz-Algorithm"] == ["AWS4-HMAC-SHA256"]
    assert query["X-Amz-Credential"][0].endswith("/ap-southeast-1/s3/aws4_request")
    assert query["versionId"] == ["v1"]
    assert "AWSAccessKeyId" not in query


def test_a_local_endpoint_takes_the_bucket_in_the_path() -> None:
    url = urlparse(_download_url({**ENV, "AWS_ENDPOINT_URL": "http://127.0.0.1:5000"}))
    assert (url.netloc, url.path) == (
        "127.0.0.1:5000",
        "/hoso-archive-prod-123456789012/records/r.pdf",
    )
    assert parse_qs(url.query)["X-Amz-Algorithm"] == ["AWS4-HMAC-SHA256"]
