"""Measures record search on 10,000 indexed records in moto server; prints a Markdown report.

    make bench            (or: .venv/bin/python -m bench.search [--records 10000])

The table and the HMAC key are made as infra/template.yaml says, in moto server on loopback;
records are written straight into the table with the search attributes the archive step
gives them (functions.search.record_index). Each search runs through
functions.search.search_records, next to a floor measured in the same run: one bare
GetItem on the same table (a round trip to moto).
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import statistics
import time
import uuid
from collections.abc import Callable
from typing import Any, cast

import boto3

from cloud.keys import KmsMacs
from cloud.table import CaseTable, record_search_attributes
from functions.access import Principal
from functions.search import card_mac, search_records
from functions.services import Services
from infra.servers import HOST, free_port, start_moto
from infra.stack_template import load_template, properties

REGION = "ap-southeast-1"
ORGANIZATIONS = [f"org-{i:02d}" for i in range(20)]
PROCEDURES = ["chuyen-sinh-hoat-chinh-thuc", "chuyen-sinh-hoat-tam-thoi", "dang-phi"]


def _median_ms(action: Callable[[], Any], repeat: int) -> float:
    spent = []
    for _ in range(repeat):
        start = time.perf_counter()
        action()
        spent.append((time.perf_counter() - start) * 1000)
    return statistics.median(spent)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--records", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=20)
    args = parser.parse_args()
    os.environ.setdefault("AWS_ACCESS_KEY_ID", "testing")
    os.environ.setdefault("AWS_SECRET_ACCESS_KEY", "testing")
    port = free_port()
    server = start_moto(port)
    try:
        endpoint = f"http://{HOST}:{port}"
        dynamodb = boto3.client("dynamodb", region_name=REGION, endpoint_url=endpoint)
        kms = boto3.client("kms", region_name=REGION, endpoint_url=endpoint)
        table = properties(load_template(), "CaseTable")
        dynamodb.create_table(
            TableName="hoso-bench",
            AttributeDefinitions=table["AttributeDefinitions"],
            KeySchema=table["KeySchema"],
            BillingMode=table["BillingMode"],
            GlobalSecondaryIndexes=table["GlobalSecondaryIndexes"],
        )
        key = properties(load_template(), "IndexKey")
        key_id = kms.create_key(KeySpec=key["KeySpec"], KeyUsage=key["KeyUsage"])["KeyMetadata"][
            "KeyId"
        ]
        services = cast(
            Services,
            argparse.Namespace(
                cases=CaseTable(dynamodb, "hoso-bench"),
                index=KmsMacs(kms, key_id),
                clock=lambda: dt.datetime(2026, 12, 31, tzinfo=dt.UTC),  # after every record
            ),
        )
        rng = random.Random(1456)  # noqa: S311 (seeded test data)
        start = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
        sample: dict[str, str] = {}
        began = time.perf_counter()
        for batch in range(0, args.records, 25):
            items = []
            for i in range(batch, min(batch + 25, args.records)):
                record_id = str(uuid.UUID(int=rng.getrandbits(128)))
                organization = rng.choice(ORGANIZATIONS)
                archived_at = start + dt.timedelta(minutes=47 * i)
                card = f"{rng.randrange(10**9, 10**10)}"
                number = f"{i}-GGT/ĐU"
                record = {
                    "id": record_id,
                    "procedure": rng.choice(PROCEDURES),
                    "organization": organization,
                    "number": number,
                    "archived_at": archived_at.isoformat(),
                    "index": {
                        "year": str(archived_at.year),
                        "at": f"{archived_at.isoformat(timespec='seconds')}#{record_id}",
                        "procedure": rng.choice(PROCEDURES),
                        "organization": organization,
                        "number": number,
                        "card": card_mac(services, card),
                        "scope": [organization, "thanh-uy"],
                    },
                }
                sample.update(card=card, number=number)
                items.append(
                    {
                        "PutRequest": {
                            "Item": {
                                "pk": {"S": f"RECORD#{record_id}"},
                                "doc": {"S": json.dumps(record, ensure_ascii=False)},
                                **record_search_attributes(record),
                            }
                        }
                    }
                )
            dynamodb.batch_write_item(RequestItems={"hoso-bench": items})
        loading = time.perf_counter() - began
        archivist = Principal("bench", "bench", frozenset({"archivist"}), "thanh-uy")
        floor = _median_ms(
            lambda: dynamodb.get_item(TableName="hoso-bench", Key={"pk": {"S": "RECORD#none"}}),
            args.repeat,
        )
        searches = {
            "by party card (1 record; 1 HMAC)": {"card": sample["card"]},
            "by document number (1 record)": {"number": sample["number"]},
            "by procedure, a page of 20": {"procedure": "dang-phi"},
            "by organisation and month, a page of 20": {
                "organization": "org-07",
                "archived_from": "2026-03-01",
                "archived_to": "2026-03-31",
            },
            "everything in scope, a page of 20": {},
        }
        lines = [
            f"Machine: {os.cpu_count()} vCPU; {dt.date.today().isoformat()}; `make bench` "
            f"(bench/search.py): {args.records:,} records written in {loading:.0f} s, "
            f"median of {args.repeat} searches each, moto server on loopback.",
            "",
            "| search | median ms | items | ratio to the floor |",
            "| --- | ---: | ---: | ---: |",
        ]
        for label, params in searches.items():
            found: dict[str, Any] = {}
            spent = _median_ms(
                lambda p=params, into=found: into.update(search_records(services, archivist, p)),
                args.repeat,
            )
            lines.append(f"| {label} | {spent:.1f} | {len(found['items'])} | {spent / floor:.1f} |")
        lines.append(f"| floor: one bare GetItem on the same table | {floor:.1f} | | 1.0 |")
        print("\n".join(lines))
    finally:
        server.stop()


if __name__ == "__main__":
    main()
