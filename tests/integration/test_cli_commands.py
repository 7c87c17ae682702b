"""The `hoso` command's everyday commands against the API over HTTP: submit (one case, or a
file of many as a batch followed with a progress bar), cases, records, verify, procedures.

What each bad input gets: a file that is not JSON, JSON lines or CSV as it claims, or a
file to verify that is not a PDF or does not exist: a message naming the line or the file,
exit code 2; what the API refuses: its message and status, exit code 1; a file that does
not verify: its report, exit code 1."""

from __future__ import annotations

import copy
import csv
import json
import os
import subprocess
import sys
import threading
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from chalice.test import Client

from infra.demo import DEMO_PASSWORD
from infra.poller import poll_once
from tests.conftest import ROOT, Stack, procedure_example
from tests.integration.test_verification import archived_case

ORG = "phuong-ba-dinh"


@pytest.fixture(scope="module")
def worker(stack: Stack, api_url: str) -> Iterator[None]:
    """The batch worker taking the work queue while the tests run, as `make run`'s does."""
    import app as hoso_app

    stop = threading.Event()

    def work() -> None:
        sqs, url = stack.client("sqs"), stack.outputs["work_queue_url"]
        while not stop.is_set():
            poll_once(sqs, url, hoso_app.batch_worker, wait_seconds=1)

    thread = threading.Thread(target=work, daemon=True)
    thread.start()
    yield
    stop.set()
    thread.join(timeout=30)


@pytest.fixture(scope="module")
def homes(
    tmp_path_factory: pytest.TempPathFactory, stack: Stack, api_url: str
) -> dict[str, dict[str, str]]:
    """A signed-in config folder for the upstream system and for an archivist: by user,
    the environment a command runs with."""
    folder = tmp_path_factory.mktemp("cli")
    outputs = folder / "outputs.json"
    outputs.write_text(json.dumps(stack.outputs))
    homes = {}
    for user in ("cong-dich-vu", "luu-tru"):
        env = {"HOSO_CONFIG_DIR": str(folder / user), "HOSO_FOLLOW_SECONDS": "0.5"}
        logged_in = _hoso(
            env, "login", "--username", user, "--password", DEMO_PASSWORD, "--api-url", api_url,
            "--outputs", str(outputs),
        )  # fmt: skip
        assert logged_in.returncode == 0, logged_in.stdout + logged_in.stderr
        homes[user] = env
    return homes


def _hoso(env: dict[str, str], *arguments: str) -> subprocess.CompletedProcess[str]:
    """The command as a person runs it: a process of its own (the API's logs, in this
    process, stay out of its output)."""
    return subprocess.run(
        [sys.executable, "-c", "from client.cli import main; main()", *arguments],
        cwd=ROOT,
        env={**os.environ, **env, "COLUMNS": "120"},
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )


def _receipts(client: Client, stack: Stack, count: int) -> list[dict[str, Any]]:
    """Fee receipts with random card numbers (test_batches' items repeat theirs): the CLI
    keys an item without a key by its data, which must not meet another test's."""
    example = procedure_example(client, stack, "dang-phi")
    made = []
    for n in range(count):
        data = copy.deepcopy(example)
        data["member"]["party_card_number"] = f"{uuid.uuid4().int % 10**10:010d}"
        made.append({"key": f"cli-{uuid.uuid4().hex[:8]}-{n}", "data": data})
    return made


def test_a_file_of_50_lines_becomes_a_batch_followed_to_50_archived(
    client: Client, stack: Stack, homes: dict[str, dict[str, str]], worker: None, tmp_path: Path
) -> None:
    lines = tmp_path / "thang-11.jsonl"
    lines.write_text(
        "".join(json.dumps(i, ensure_ascii=False) + "\n" for i in _receipts(client, stack, 50))
    )
    upstream = homes["cong-dich-vu"]
    shown = _hoso(upstream, "submit", str(lines), "--procedure", "dang-phi", "--organization", ORG)
    assert shown.returncode == 0, shown.stdout
    assert "50/50" in shown.stdout  # the progress bar, at its end
    assert "archived" in shown.stdout and "│ 50 " in shown.stdout
    again = _hoso(
        upstream, "submit", str(lines), "--procedure", "dang-phi", "--organization", ORG, "--json"
    )
    assert again.returncode == 0, again.stdout
    view = json.loads(again.stdout)
    assert view["counts"] == {"queued": 0, "archived": 50} and view["failures"] == []


def test_a_csv_file_is_typed_by_the_schema_and_its_failed_items_are_written_out(
    client: Client, stack: Stack, homes: dict[str, dict[str, str]], worker: None, tmp_path: Path
) -> None:
    rows = [item["data"] for item in _receipts(client, stack, 3)]
    rows[1]["amount"] = "hai trăm"  # not a number: the API names it
    columns = ["member.full_name", "member.party_card_number", "party_cell", "category",
               "income_basis", "from_month", "to_month", "amount", "paid_on"]  # fmt: skip
    table = tmp_path / "phi.csv"
    with table.open("w", newline="", encoding="utf-8") as file:
        writer = csv.writer(file)
        writer.writerow(columns)
        for data in rows:
            member = data["member"]
            writer.writerow(
                [member["full_name"], member["party_card_number"]]
                + [data.get(c, "") for c in columns[2:]]
            )
    shown = _hoso(
        homes["cong-dich-vu"], "submit", str(table), "--procedure", "dang-phi",
        "--organization", ORG, "--json",
    )  # fmt: skip
    assert shown.returncode == 1, shown.stdout  # one item failed
    view = json.loads(shown.stdout)
    assert view["counts"] == {"queued": 0, "archived": 2, "invalid": 1}
    failed = [json.loads(line) for line in (tmp_path / "phi.failed.jsonl").read_text().splitlines()]
    assert [f["index"] for f in failed] == [1]
    assert [e["field"] for e in failed[0]["errors"]] == ["items[1].data.amount"]


def test_one_case_then_show_and_wait(
    client: Client, stack: Stack, homes: dict[str, dict[str, str]], tmp_path: Path
) -> None:
    one = tmp_path / "mot.json"
    one.write_text(json.dumps(_receipts(client, stack, 1)[0]["data"], ensure_ascii=False))
    upstream = homes["cong-dich-vu"]
    made = _hoso(
        upstream, "submit", str(one), "--procedure", "dang-phi", "--organization", ORG, "--json"
    )
    assert made.returncode == 0, made.stdout
    case = json.loads(made.stdout)
    assert case["status"] == "archived" and case["data"]["member"]
    waited = _hoso(upstream, "cases", "wait", case["id"])
    assert waited.returncode == 0 and case["number"] in waited.stdout
    missing = _hoso(upstream, "cases", "show", str(uuid.uuid4()))
    assert missing.returncode == 1 and "(404)" in missing.stdout


@pytest.mark.parametrize(
    ("name", "content", "says"),
    [
        ("hai.jsonl", '{"member": {}}\n{not json\n', "line 2 is not JSON"),
        ("ba.csv", "member.full_name\nAn,extra\n", "line 2 has more cells than the header"),
        ("rong.csv", "member.full_name\n", "no row under its header"),
        ("mot.txt", "{}", "give a .json, .jsonl or .csv file"),
        ("khong-co.json", None, "cannot be read"),
    ],
)
def test_a_file_that_cannot_be_read_is_a_message_and_exit_code_2(
    homes: dict[str, dict[str, str]], tmp_path: Path, name: str, content: str | None, says: str
) -> None:
    path = tmp_path / name
    if content is not None:
        path.write_text(content)
    shown = _hoso(homes["cong-dich-vu"], "submit", str(path), "--procedure", "dang-phi",
                  "--organization", ORG)  # fmt: skip
    assert shown.returncode == 2 and says in shown.stdout.replace("\n", " "), shown.stdout


def test_an_archivist_searches_gets_downloads_and_verifies(
    stack: Stack, homes: dict[str, dict[str, str]], tmp_path: Path
) -> None:
    case = archived_case(stack)
    archivist = homes["luu-tru"]
    found = _hoso(archivist, "records", "search", "--number", case.number, "--json")
    assert found.returncode == 0, found.stdout
    assert case.record_id in [r["id"] for r in json.loads(found.stdout)["items"]]
    got = _hoso(archivist, "records", "get", str(case.record_id), "--verify")
    assert got.returncode == 0 and "Tệp hợp lệ." in got.stdout
    pdf = tmp_path / "ban-luu.pdf"
    saved = _hoso(archivist, "records", "download", str(case.record_id), "-o", str(pdf))
    assert saved.returncode == 0 and pdf.read_bytes().startswith(b"%PDF-")
    valid = _hoso(archivist, "verify", str(pdf))
    assert valid.returncode == 0 and "Tệp hợp lệ." in valid.stdout
    tampered = bytearray(pdf.read_bytes())
    tampered[tampered.index(b"stream") + 20] ^= 0x01
    (tmp_path / "sua.pdf").write_bytes(bytes(tampered))
    invalid = _hoso(archivist, "verify", str(tmp_path / "sua.pdf"), "--json")
    assert invalid.returncode == 1 and json.loads(invalid.stdout)["valid"] is False
    (tmp_path / "ghi-chu.txt").write_text("không phải PDF")
    for bad in (tmp_path / "ghi-chu.txt", tmp_path / "khong-co.pdf"):
        refused = _hoso(archivist, "verify", str(bad))
        assert refused.returncode == 2 and str(bad.name) in refused.stdout


def test_procedures_lists_the_catalogue(homes: dict[str, dict[str, str]]) -> None:
    listed = _hoso(homes["cong-dich-vu"], "procedures", "--json")
    assert listed.returncode == 0
    codes = {p["code"] for p in json.loads(listed.stdout)["procedures"]}
    assert {"dang-phi", "nhan-xet-noi-cu-tru"} <= codes


def test_a_command_that_outlasts_its_id_token_refreshes_it(
    homes: dict[str, dict[str, str]],
) -> None:
    """Following a batch of 100,000 takes hours; an ID token lasts one."""
    from client.api import Api
    from client.session import Login

    saved = Path(homes["cong-dich-vu"]["HOSO_CONFIG_DIR"]) / "login.json"
    login = Login(**json.loads(saved.read_text()))
    login.id_token, login.expires_at = "an-expired-token", 0.0  # an hour into the command
    api = Api(login)
    assert api.get("/v1/procedures")["procedures"]
    assert login.id_token != "an-expired-token" and login.expires_at > 0
