"""Reading the cases a person submits from a file (client/items.py): the three formats,
CSV cells typed by the schema, and keys that make the same file submit nothing twice."""

from __future__ import annotations

from pathlib import Path

import pytest

from client.items import ItemsError, data_key, read_items

SCHEMA = {
    "type": "object",
    "properties": {
        "member": {"type": "object", "properties": {"party_card_number": {"type": "string"}}},
        "amount": {"type": "integer"},
        "rate": {"type": "number"},
        "paid": {"type": "boolean"},
    },
}


def test_csv_cells_take_the_schemas_types_and_dotted_columns_nest(tmp_path: Path) -> None:
    table = tmp_path / "a.csv"
    table.write_text(
        "key,member.party_card_number,amount,rate,paid,note\n"
        "k1,02345678,253500,0.5,true,\n"
        ",12345678,hai trăm,x,maybe,ghi chú\n",
        encoding="utf-8",
    )
    first, second = read_items(table, SCHEMA)
    assert first == {
        "key": "k1",
        "data": {"member": {"party_card_number": "02345678"}, "amount": 253500, "rate": 0.5,
                 "paid": True},
    }  # fmt: skip
    # what does not read as its type stays as written, for the API to name; no key: the data's
    assert second["data"]["amount"] == "hai trăm" and second["data"]["paid"] == "maybe"
    assert second["data"]["member"]["party_card_number"] == "12345678"  # a string, by schema
    assert second["key"] == data_key(second["data"])


def test_json_lines_hold_the_data_or_a_key_and_the_data(tmp_path: Path) -> None:
    lines = tmp_path / "a.jsonl"
    lines.write_text('{"amount": 1}\n\n{"key": "k2", "data": {"amount": 2}}\n', encoding="utf-8")
    assert read_items(lines, SCHEMA) == [
        {"key": data_key({"amount": 1}), "data": {"amount": 1}},
        {"key": "k2", "data": {"amount": 2}},
    ]


def test_the_same_data_has_the_same_key_whatever_its_order() -> None:
    assert data_key({"a": 1, "b": "đ"}) == data_key({"b": "đ", "a": 1})
    assert data_key({"a": 1}) != data_key({"a": 2})


@pytest.mark.parametrize(
    ("name", "content", "says"),
    [
        ("a.json", "[1, 2]", "not a JSON object"),
        ("a.json", '{"data": [1]}', "data is not a JSON object"),
        ("a.jsonl", '{"key": 5, "data": {}}\n', "key is not a string"),
        ("a.csv", "member,member.x\n1,2\n", "is inside a value"),
        ("a.jsonl", "\n\n", "holds no case"),
    ],
)
def test_what_cannot_be_read_is_said(tmp_path: Path, name: str, content: str, says: str) -> None:
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    with pytest.raises(ItemsError, match=says):
        read_items(path, SCHEMA)


def test_a_file_not_in_utf8_is_said(tmp_path: Path) -> None:
    path = tmp_path / "a.csv"
    path.write_bytes("member.full_name\nNguyễn\n".encode("utf-16"))
    with pytest.raises(ItemsError, match="not UTF-8"):
        read_items(path, SCHEMA)
