"""Demo organisations and users of the local stack (development data, not personal data)."""

from __future__ import annotations

from typing import Any

DEMO_PASSWORD = "Hoso-demo-2026!"  # noqa: S105 (local demo users only)

ORGANIZATIONS: list[dict[str, Any]] = [
    {
        "code": "phuong-ba-dinh",
        "name": "Đảng ủy phường Ba Đình",
        "parent_name": "Đảng bộ thành phố Hà Nội",
        "symbol": "ĐU",
        "place": "Hà Nội",
        "signatory": {
            "heading": "T/M BAN THƯỜNG VỤ",
            "position": "Phó Bí thư",
            "name": "Trần Văn Bình",
        },
        "officer": "canbo-badinh",
    },
    {
        "code": "phuong-hoan-kiem",
        "name": "Đảng ủy phường Hoàn Kiếm",
        "parent_name": "Đảng bộ thành phố Hà Nội",
        "symbol": "ĐU",
        "place": "Hà Nội",
        "signatory": {"heading": "T/M BAN THƯỜNG VỤ", "position": "Bí thư", "name": "Lê Thị Hoà"},
        "officer": "canbo-hoankiem",
    },
]

USERS: list[dict[str, Any]] = [
    {"username": "cong-dich-vu", "groups": ["upstream"], "org": None},
    {"username": "canbo-badinh", "groups": ["officer"], "org": "phuong-ba-dinh"},
    {"username": "canbo-hoankiem", "groups": ["officer"], "org": "phuong-hoan-kiem"},
    {"username": "luu-tru", "groups": ["archivist"], "org": "phuong-ba-dinh"},
    {"username": "quan-tri", "groups": ["admin"], "org": None},
]
