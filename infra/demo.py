"""Demo organisations and users of the local stack (development data, not personal data)."""

from __future__ import annotations

from typing import Any

DEMO_PASSWORD = "Hoso-demo-2026!"  # noqa: S105 (local demo users only)

# Directory entries (ORG# items). ``seal``: whether the organisation has a seal (a KMS key
# and certificate); party cells have none. ``parent``: the code of the organisation above,
# the one a procedure step at level "parent" goes to. ``signatory``: the signature block an
# officer of this organisation signs under. Officers are the USERS in the "officer" group;
# each signs with a key of its own, certified in the name of its organisation's signatory.
ORGANIZATIONS: list[dict[str, Any]] = [
    {
        "code": "phuong-ba-dinh",
        "name": "Đảng ủy phường Ba Đình",
        "parent_name": "Đảng bộ thành phố Hà Nội",
        "symbol": "ĐU",
        "place": "Hà Nội",
        "seal": True,
        "signatory": {
            "heading": "T/M BAN THƯỜNG VỤ",
            "position": "Phó Bí thư",
            "name": "Trần Văn Bình",
        },
    },
    {
        "code": "phuong-hoan-kiem",
        "name": "Đảng ủy phường Hoàn Kiếm",
        "parent_name": "Đảng bộ thành phố Hà Nội",
        "symbol": "ĐU",
        "place": "Hà Nội",
        "seal": True,
        "signatory": {"heading": "T/M BAN THƯỜNG VỤ", "position": "Bí thư", "name": "Lê Thị Hoà"},
    },
    {
        "code": "chi-bo-to-dan-pho-5-ba-dinh",
        "name": "Chi bộ Tổ dân phố số 5",
        "parent": "phuong-ba-dinh",
        "parent_name": "Đảng bộ phường Ba Đình",
        "symbol": "CB",
        "place": "Hà Nội",
        "seal": False,
        "signatory": {"heading": "T/M CHI ỦY", "position": "Bí thư", "name": "Phạm Thị Lan"},
    },
]

USERS: list[dict[str, Any]] = [
    {"username": "cong-dich-vu", "groups": ["upstream"], "org": None},
    {"username": "canbo-badinh", "groups": ["officer"], "org": "phuong-ba-dinh"},
    {"username": "canbo-hoankiem", "groups": ["officer"], "org": "phuong-hoan-kiem"},
    {"username": "bithu-chibo5", "groups": ["officer"], "org": "chi-bo-to-dan-pho-5-ba-dinh"},
    {"username": "luu-tru", "groups": ["archivist"], "org": "phuong-ba-dinh"},
    {"username": "luu-tru-hoankiem", "groups": ["archivist"], "org": "phuong-hoan-kiem"},
    {"username": "quan-tri", "groups": ["admin"], "org": None},
]
