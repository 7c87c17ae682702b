"""What IAM would say to a recorded AWS call, since moto evaluates no IAM policy.

The actions each boto3 operation needs (implied ones included), the resource it touches,
and whether a role's policy statements allow them: a call without its permission fails."""

from __future__ import annotations

import fnmatch
import re
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from tests.calls import Call

ACCOUNT = "123456789012"  # moto's account


@dataclass(frozen=True)
class Need:
    """One permission a call needs: an action on a resource, with the request's condition
    keys (``kms:SigningAlgorithm``…)."""

    action: str
    resource: str
    context: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Names:
    """Where the stack's resources are: what the template's logical ids stand for."""

    region: str
    bucket: str
    table: str
    event_bus: str
    index_key_id: str
    archive_key_id: str
    user_pool_id: str
    work_queue: str

    def arn(self, logical_id: str) -> str:
        return {
            "ArchiveBucket": f"arn:aws:s3:::{self.bucket}",
            "CaseTable": f"arn:aws:dynamodb:{self.region}:{ACCOUNT}:table/{self.table}",
            "EventBus": f"arn:aws:events:{self.region}:{ACCOUNT}:event-bus/{self.event_bus}",
            "IndexKey": f"arn:aws:kms:{self.region}:{ACCOUNT}:key/{self.index_key_id}",
            "ArchiveKey": _kms_key(self, self.archive_key_id),
            "UserPool": f"arn:aws:cognito-idp:{self.region}:{ACCOUNT}:userpool/{self.user_pool_id}",
            "WorkQueue": _queue_arn(self, self.work_queue),
        }[logical_id]

    def substitute(self, text: str) -> str:
        """A ``Fn::Sub`` string with the stack's names in it."""
        fixed = {"AWS::Partition": "aws", "AWS::Region": self.region, "AWS::AccountId": ACCOUNT}

        def value(match: re.Match[str]) -> str:
            name = match.group(1)
            return fixed[name] if name in fixed else self.arn(name.removesuffix(".Arn"))

        return re.sub(r"\$\{([^}]+)\}", value, text)

    def resolve(self, value: Any) -> list[str]:
        """The resource ARN patterns a statement's ``Resource`` stands for."""
        if isinstance(value, list):
            return [arn for item in value for arn in self.resolve(item)]
        if isinstance(value, str):
            return [value]
        if "Fn::Sub" in value:
            return [self.substitute(value["Fn::Sub"])]
        if "Fn::GetAtt" in value:
            logical_id, attribute = value["Fn::GetAtt"]
            assert attribute == "Arn", value
            return [self.arn(logical_id)]
        raise AssertionError(f"cannot resolve {value}")


def _queue_arn(names: Names, queue_url: str) -> str:
    return f"arn:aws:sqs:{names.region}:{ACCOUNT}:{queue_url.rstrip('/').rsplit('/', 1)[-1]}"


def _s3_object(names: Names, params: dict[str, Any]) -> str:
    return f"arn:aws:s3:::{params['Bucket']}/{params['Key']}"


def _versioned(action: str) -> Callable[[Names, dict[str, Any]], list[Need]]:
    """An object action, or its ``…Version`` form when the call names a version."""

    def needs(names: Names, params: dict[str, Any]) -> list[Need]:
        name = f"{action}Version" if params.get("VersionId") else action
        return [Need(name, _s3_object(names, params))]

    return needs


def _put_object(names: Names, params: dict[str, Any]) -> list[Need]:
    found = [Need("s3:PutObject", _s3_object(names, params))]
    if "ObjectLockMode" in params or "ObjectLockRetainUntilDate" in params:
        found.append(Need("s3:PutObjectRetention", _s3_object(names, params)))
    if "ObjectLockLegalHoldStatus" in params:
        found.append(Need("s3:PutObjectLegalHold", _s3_object(names, params)))
    # S3 encrypts every object with the archive key: the one the put names, else the
    # bucket's default (a presigned upload names none)
    key = _kms_key(names, params.get("SSEKMSKeyId") or names.archive_key_id)
    return [*found, Need("kms:GenerateDataKey", key), Need("kms:Decrypt", key)]


def _get_object(names: Names, params: dict[str, Any]) -> list[Need]:
    # every object of the archive bucket is encrypted by the archive key: S3 decrypts it
    # with the caller's (or a presigned URL's signer's) kms:Decrypt
    return [
        *_versioned("s3:GetObject")(names, params),
        Need("kms:Decrypt", names.arn("ArchiveKey")),
    ]


def _copy_object(names: Names, params: dict[str, Any]) -> list[Need]:
    # reads the source as GetObject would, writes the copy as PutObject would
    # botocore has made CopySource "bucket/key[?versionId=…]" by the time it is recorded
    path, _, version = str(params["CopySource"]).partition("?versionId=")
    bucket, _, key = urllib.parse.unquote(path).partition("/")
    read = {"Bucket": bucket, "Key": key, "VersionId": version or None}
    return [*_get_object(names, read), *_put_object(names, params)]


def _head_object(names: Names, params: dict[str, Any]) -> list[Need]:
    # HeadObject answers the Object Lock headers only with s3:GetObjectRetention
    retention = Need("s3:GetObjectRetention", _s3_object(names, params))
    return [*_versioned("s3:GetObject")(names, params), retention]


def _table(names: Names, params: dict[str, Any]) -> str:
    table = f"arn:aws:dynamodb:{names.region}:{ACCOUNT}:table/{params['TableName']}"
    return f"{table}/index/{params['IndexName']}" if params.get("IndexName") else table


def _dynamodb(action: str) -> Callable[[Names, dict[str, Any]], list[Need]]:
    return lambda names, params: [Need(f"dynamodb:{action}", _table(names, params))]


def _transaction(names: Names, params: dict[str, Any]) -> list[Need]:
    """TransactWriteItems needs the item action of each item inside it."""
    actions = {
        "Put": "PutItem",
        "Update": "UpdateItem",
        "Delete": "DeleteItem",
        "ConditionCheck": "ConditionCheckItem",
    }
    return [
        Need(f"dynamodb:{actions[kind]}", _table(names, inner))
        for item in params["TransactItems"]
        for kind, inner in item.items()
    ]


def _kms_key(names: Names, key_id: str) -> str:
    return (
        key_id
        if key_id.startswith("arn:")
        else f"arn:aws:kms:{names.region}:{ACCOUNT}:key/{key_id}"
    )


def _kms_sign(names: Names, params: dict[str, Any]) -> list[Need]:
    context = (("kms:SigningAlgorithm", params["SigningAlgorithm"]),)
    return [Need("kms:Sign", _kms_key(names, params["KeyId"]), context)]


def _put_events(names: Names, params: dict[str, Any]) -> list[Need]:
    buses = {entry.get("EventBusName", "default") for entry in params["Entries"]}
    return [
        Need("events:PutEvents", f"arn:aws:events:{names.region}:{ACCOUNT}:event-bus/{bus}")
        for bus in sorted(buses)
    ]


def _user_pool(operation: str) -> Callable[[Names, dict[str, Any]], list[Need]]:
    def needs(names: Names, params: dict[str, Any]) -> list[Need]:
        pool = f"arn:aws:cognito-idp:{names.region}:{ACCOUNT}:userpool/{params['UserPoolId']}"
        return [Need(f"cognito-idp:{operation}", pool)]

    return needs


# Each boto3 operation the code makes, and what IAM asks of it. An operation missing here
# fails the permissions test: say what it needs before the code may call it.
OPERATIONS: dict[tuple[str, str], Callable[[Names, dict[str, Any]], list[Need]]] = {
    ("s3", "PutObject"): _put_object,
    ("s3", "GetObject"): _get_object,  # a presigned URL too: same request
    ("s3", "HeadObject"): _head_object,
    ("s3", "CopyObject"): _copy_object,
    ("s3", "DeleteObject"): _versioned("s3:DeleteObject"),
    ("s3", "ListObjectVersions"): lambda names, params: [
        Need("s3:ListBucketVersions", f"arn:aws:s3:::{params['Bucket']}")
    ],
    ("dynamodb", "GetItem"): _dynamodb("GetItem"),
    ("dynamodb", "PutItem"): _dynamodb("PutItem"),
    ("dynamodb", "UpdateItem"): _dynamodb("UpdateItem"),
    ("dynamodb", "DeleteItem"): _dynamodb("DeleteItem"),
    ("dynamodb", "Query"): _dynamodb("Query"),
    ("dynamodb", "TransactWriteItems"): _transaction,
    ("dynamodb", "BatchWriteItem"): lambda names, params: [
        Need("dynamodb:BatchWriteItem", _table(names, {"TableName": table}))
        for table in sorted(params["RequestItems"])
    ],
    ("kms", "Sign"): _kms_sign,
    ("kms", "GetPublicKey"): lambda names, params: [
        Need("kms:GetPublicKey", _kms_key(names, params["KeyId"]))
    ],
    ("kms", "CreateKey"): lambda names, params: [
        Need(
            "kms:CreateKey",
            "*",
            (("kms:KeySpec", params["KeySpec"]), ("kms:KeyUsage", params["KeyUsage"])),
        )
    ],
    ("kms", "ScheduleKeyDeletion"): lambda names, params: [
        Need("kms:ScheduleKeyDeletion", _kms_key(names, params["KeyId"]))
    ],
    ("kms", "GenerateMac"): lambda names, params: [
        Need("kms:GenerateMac", _kms_key(names, params["KeyId"]))
    ],
    ("kms", "VerifyMac"): lambda names, params: [
        Need("kms:VerifyMac", _kms_key(names, params["KeyId"]))
    ],
    ("events", "PutEvents"): _put_events,
    ("sqs", "SendMessageBatch"): lambda names, params: [
        Need("sqs:SendMessage", _queue_arn(names, params["QueueUrl"]))
    ],
    # Cognito's sign-in calls are public: the app client, not IAM, decides (AWS documents
    # them as unauthenticated operations that no policy controls)
    ("cognito-idp", "InitiateAuth"): lambda names, params: [],
    ("cognito-idp", "RespondToAuthChallenge"): lambda names, params: [],
    **{
        ("cognito-idp", operation): _user_pool(operation)
        for operation in (
            "AdminCreateUser",
            "AdminSetUserPassword",
            "AdminAddUserToGroup",
            "AdminRemoveUserFromGroup",
            "AdminEnableUser",
            "AdminDisableUser",
        )
    },
}


def needs_of(names: Names, call: Call) -> list[Need]:
    """What ``call`` needs; AssertionError for an operation OPERATIONS does not know."""
    needs = OPERATIONS.get((call.service, call.operation))
    assert needs is not None, f"{call.service} {call.operation}: add it to tests/iam.py"
    return needs(names, call.params)


def _matches(pattern: str, value: str) -> bool:
    return fnmatch.fnmatchcase(value, pattern)


def _condition_holds(condition: dict[str, Any], context: dict[str, str]) -> bool:
    for operator, tests in condition.items():
        assert operator == "StringEquals", f"the evaluator knows StringEquals only: {operator}"
        for key, expected in tests.items():
            allowed = expected if isinstance(expected, list) else [expected]
            if context.get(key) not in allowed:
                return False
    return True


def allows(statements: list[dict[str, Any]], names: Names, need: Need) -> bool:
    """Whether ``statements`` allow ``need`` (and no Deny among them matches it)."""
    verdict = False
    for statement in statements:
        actions = statement["Action"]
        actions = [actions] if isinstance(actions, str) else actions
        if not any(_matches(a.lower(), need.action.lower()) for a in actions):
            continue
        if not any(_matches(r, need.resource) for r in names.resolve(statement["Resource"])):
            continue
        if not _condition_holds(statement.get("Condition", {}), dict(need.context)):
            continue
        if statement["Effect"] == "Deny":
            return False
        verdict = True
    return verdict
