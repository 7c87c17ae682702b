"""The local stack in moto is the one infra/template.yaml describes for AWS."""

from __future__ import annotations

import json

from infra.stack_template import load_template, of_type, properties
from tests.conftest import Stack


def test_archive_bucket_is_versioned_and_locked_as_the_template_says(stack: Stack) -> None:
    template = load_template()
    s3 = stack.client("s3")
    bucket = stack.outputs["bucket"]
    assert s3.get_bucket_versioning(Bucket=bucket)["Status"] == "Enabled"
    lock = s3.get_object_lock_configuration(Bucket=bucket)["ObjectLockConfiguration"]
    assert lock == properties(template, "ArchiveBucket")["ObjectLockConfiguration"]


def test_table_rule_and_user_pool_follow_the_template(stack: Stack) -> None:
    template = load_template()
    table = stack.client("dynamodb").describe_table(TableName=stack.outputs["table"])["Table"]
    assert table["KeySchema"] == properties(template, "CaseTable")["KeySchema"]

    events = stack.client("events")
    (rule,) = events.list_rules(EventBusName=stack.outputs["event_bus"])["Rules"]
    assert (
        json.loads(rule["EventPattern"]) == properties(template, "AllEventsToQueue")["EventPattern"]
    )

    cognito = stack.client("cognito-idp")
    groups = cognito.list_groups(UserPoolId=stack.outputs["user_pool_id"])["Groups"]
    assert sorted(g["GroupName"] for g in groups) == sorted(
        g["GroupName"] for g in of_type(template, "AWS::Cognito::UserPoolGroup")
    )
    app_client = cognito.describe_user_pool_client(
        UserPoolId=stack.outputs["user_pool_id"], ClientId=stack.outputs["user_pool_client_id"]
    )["UserPoolClient"]
    assert "ALLOW_USER_PASSWORD_AUTH" in app_client["ExplicitAuthFlows"]
