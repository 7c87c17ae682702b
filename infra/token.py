"""Prints a demo user's ID token from the local stack's Cognito: `python -m infra.token USER`."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import boto3

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    username = sys.argv[1] if len(sys.argv) > 1 else "cong-dich-vu"
    outputs = json.loads((ROOT / ".local" / "outputs.json").read_text())
    user = next(u for u in outputs["demo_users"] if u["username"] == username)
    cognito = boto3.client(
        "cognito-idp",
        region_name=outputs["region"],
        endpoint_url=outputs["aws_endpoint_url"],
        aws_access_key_id="testing",
        aws_secret_access_key="testing",  # noqa: S106 (moto accepts any)
    )
    result = cognito.initiate_auth(
        ClientId=outputs["user_pool_client_id"],
        AuthFlow="USER_PASSWORD_AUTH",
        AuthParameters={"USERNAME": username, "PASSWORD": user["password"]},
    )
    print(result["AuthenticationResult"]["IdToken"])


if __name__ == "__main__":
    main()
