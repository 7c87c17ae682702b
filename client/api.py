"""Calls to the hoso API with a signed-in person's token; its errors as one exception."""

from __future__ import annotations

import hashlib
import json
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from client.session import Login

TIMEOUT_SECONDS = 120  # a signature waits for the seal and the archive


class ApiError(Exception):
    """A call that did not succeed; ``message`` says why, as the API said it."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class Api:
    """The API as one signed-in person or system. Before a call, an ID token about to
    expire is refreshed (and, with ``keep``, kept for the next commands)."""

    def __init__(self, login: Login, keep: Callable[[Login], None] | None = None) -> None:
        self._login = login
        self._keep = keep

    def get(self, path: str, query: dict[str, str] | None = None) -> Any:
        """GET ``path`` (with ``query``'s parameters, those with a value)."""
        given = {k: v for k, v in (query or {}).items() if v}
        return self._call(
            "GET", path + (f"?{urllib.parse.urlencode(given)}" if given else ""), None
        )

    def post(self, path: str, body: Any, headers: dict[str, str] | None = None) -> Any:
        return self._call("POST", path, body, headers)

    def put(self, path: str, body: Any) -> Any:
        return self._call("PUT", path, body)

    def post_pdf(self, path: str, pdf: bytes) -> Any:
        """POST a PDF as the body (application/pdf)."""
        return self._call("POST", path, pdf, {"Content-Type": "application/pdf"})

    def upload(self, content: bytes, content_type: str) -> str:
        """Put ``content`` where POST /v1/uploads says (a presigned PUT): its upload id."""
        declared = {
            "sha256": hashlib.sha256(content).hexdigest(),
            "size": len(content),
            "content_type": content_type,
        }
        upload = self.post("/v1/uploads", declared)
        put = urllib.request.Request(  # noqa: S310 (the URL the API presigned)
            upload["url"], content, upload["headers"], method="PUT"
        )
        try:
            urllib.request.urlopen(put, timeout=TIMEOUT_SECONDS).close()  # noqa: S310
        except urllib.error.URLError as error:
            raise ApiError(f"the upload failed: {error}") from error
        return str(upload["upload_id"])

    def download(self, url: str) -> bytes:
        """The file a presigned URL gives (a record's PDF)."""
        try:
            with urllib.request.urlopen(url, timeout=TIMEOUT_SECONDS) as answer:  # noqa: S310
                return bytes(answer.read())
        except urllib.error.URLError as error:
            raise ApiError(f"the download failed: {error}") from error

    def procedure_title(self, code: str) -> str:
        """The document title of procedure ``code`` (its code if the catalogue lacks it)."""
        for procedure in self.get("/v1/procedures")["procedures"]:
            if procedure["code"] == code:
                return str(procedure.get("document_title") or procedure["title"])
        return code

    def _call(self, method: str, path: str, body: Any, extra: dict[str, str] | None = None) -> Any:
        if self._login.expired:
            from client.session import refresh  # the session module needs ApiError from here

            refresh(self._login)
            if self._keep is not None:
                self._keep(self._login)
        headers = {"Authorization": f"Bearer {self._login.id_token}"}
        data = None
        if isinstance(body, bytes):
            data = body
        elif body is not None:
            data = json.dumps(body, ensure_ascii=False).encode("utf-8")
            headers["Content-Type"] = "application/json"
        headers.update(extra or {})
        request = urllib.request.Request(  # noqa: S310 (the API's own URL)
            self._login.api_url + path, data=data, headers=headers, method=method
        )
        try:
            with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as answer:  # noqa: S310
                return json.loads(answer.read().decode("utf-8"))
        except urllib.error.HTTPError as error:
            raise ApiError(_message(error)) from error
        except urllib.error.URLError as error:
            raise ApiError(f"the API cannot be reached: {error.reason}") from error


def _message(error: urllib.error.HTTPError) -> str:
    try:
        found = json.loads(error.read().decode("utf-8"))["error"]
    except (ValueError, KeyError, TypeError):
        return f"the API answered {error.code}"
    details = "; ".join(f"{d['field']}: {d['problem']}" for d in found.get("details", []))
    return f"{found['message']} ({error.code})" + (f": {details}" if details else "")
