"""Creates the stack in moto (server mode) with the dev PKI and demo data; returns outputs."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import boto3

from cloud.bootstrap import boto_client
from cloud.table import CaseTable
from cloud.users import CognitoUsers
from functions.access import ACTIVE, Principal
from functions.directory import (
    PERSON_ROLES,
    import_certificate,
    new_signing_key,
    organization_key,
    person_key,
    put_organization,
    put_person,
)
from functions.services import Services
from infra.demo import DEMO_PASSWORD, ORGANIZATIONS, USERS
from infra.stack_template import load_template, of_type, properties
from signing.devpki import DevPki


def _client(service: str, endpoint: str, region: str) -> Any:
    return boto3.client(service, region_name=region, endpoint_url=endpoint)


def create_stack(
    endpoint: str, region: str, stage: str, pki_url: str, state_dir: Path
) -> dict[str, Any]:
    """Create every resource of the stack in the moto server at ``endpoint``.

    The resources and their settings are those of infra/template.yaml (names get the stage).
    ``pki_url`` is where the dev PKI's services (``/tsa``, ``/ocsp``) will listen;
    the PKI is written under ``state_dir/pki``. Returns the outputs (DESIGN.md).
    """
    names = {
        "bucket": f"hoso-archive-{stage}",
        "table": f"hoso-{stage}",
        "event_bus": f"hoso-{stage}",
        "queue": f"hoso-events-{stage}",
        "work_queue": f"hoso-work-{stage}",
        "work_dead_letters": f"hoso-work-dead-{stage}",
    }
    template = load_template()
    bucket = properties(template, "ArchiveBucket")
    s3 = _client("s3", endpoint, region)
    create_bucket: dict[str, Any] = {
        "Bucket": names["bucket"],
        "ObjectLockEnabledForBucket": bucket["ObjectLockEnabled"],
    }
    if region != "us-east-1":
        create_bucket["CreateBucketConfiguration"] = {"LocationConstraint": region}
    s3.create_bucket(**create_bucket)
    s3.put_bucket_versioning(
        Bucket=names["bucket"], VersioningConfiguration=bucket["VersioningConfiguration"]
    )
    s3.put_object_lock_configuration(
        Bucket=names["bucket"], ObjectLockConfiguration=bucket["ObjectLockConfiguration"]
    )
    s3.put_bucket_lifecycle_configuration(
        Bucket=names["bucket"],
        LifecycleConfiguration=lifecycle_rules(bucket["LifecycleConfiguration"]),
    )
    kms = _client("kms", endpoint, region)
    archive_key = properties(template, "ArchiveKey")
    archive_key_arn = kms.create_key(
        Description=f"hoso {stage} archive encryption",
        KeySpec=archive_key["KeySpec"],
        KeyUsage=archive_key["KeyUsage"],
    )["KeyMetadata"]["Arn"]
    s3.put_bucket_encryption(
        Bucket=names["bucket"],
        ServerSideEncryptionConfiguration=bucket_encryption(
            bucket["BucketEncryption"], archive_key_arn
        ),
    )

    table = properties(template, "CaseTable")
    dynamodb = _client("dynamodb", endpoint, region)
    dynamodb.create_table(
        TableName=names["table"],
        AttributeDefinitions=table["AttributeDefinitions"],
        KeySchema=table["KeySchema"],
        BillingMode=table["BillingMode"],
        GlobalSecondaryIndexes=table["GlobalSecondaryIndexes"],
    )
    dynamodb.update_time_to_live(
        TableName=names["table"], TimeToLiveSpecification=table["TimeToLiveSpecification"]
    )

    sqs = _client("sqs", endpoint, region)
    queue_url = sqs.create_queue(QueueName=names["queue"])["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue_url, AttributeNames=["QueueArn"])[
        "Attributes"
    ]["QueueArn"]
    work_queue_url = _work_queue(sqs, template, names)
    events = _client("events", endpoint, region)
    events.create_event_bus(Name=names["event_bus"])
    rule = properties(template, "AllEventsToQueue")
    events.put_rule(
        Name=f"hoso-{stage}-all-to-queue",
        EventBusName=names["event_bus"],
        EventPattern=json.dumps(rule["EventPattern"]),
        State=rule["State"],
    )
    events.put_targets(
        Rule=f"hoso-{stage}-all-to-queue",
        EventBusName=names["event_bus"],
        Targets=[{"Id": "events-queue", "Arn": queue_arn}],
    )

    cognito = _client("cognito-idp", endpoint, region)
    pool = properties(template, "UserPool")
    pool_id = cognito.create_user_pool(
        PoolName=f"hoso-{stage}",
        Schema=pool["Schema"],
        Policies=pool["Policies"],
        AdminCreateUserConfig=pool["AdminCreateUserConfig"],
    )["UserPool"]["Id"]
    app_client = properties(template, "UserPoolClient")
    client_id = cognito.create_user_pool_client(
        UserPoolId=pool_id,
        ClientName=f"hoso-{stage}-api",
        ExplicitAuthFlows=app_client["ExplicitAuthFlows"],
        GenerateSecret=app_client["GenerateSecret"],
        ReadAttributes=app_client["ReadAttributes"],
        WriteAttributes=app_client["WriteAttributes"],
    )["UserPoolClient"]["ClientId"]
    for group in of_type(template, "AWS::Cognito::UserPoolGroup"):
        cognito.create_group(
            GroupName=group["GroupName"], UserPoolId=pool_id, Description=group["Description"]
        )
    # systems and admins come with the deployment; people are added by an admin
    # (seed_directory, through functions/directory.py)
    for user in (u for u in USERS if not set(u["groups"]) & set(PERSON_ROLES)):
        attributes = [{"Name": "custom:org", "Value": user["org"]}] if user["org"] else []
        cognito.admin_create_user(
            UserPoolId=pool_id,
            Username=user["username"],
            UserAttributes=attributes,
            MessageAction="SUPPRESS",
        )
        cognito.admin_set_user_password(
            UserPoolId=pool_id, Username=user["username"], Password=DEMO_PASSWORD, Permanent=True
        )
        for group in user["groups"]:
            cognito.admin_add_user_to_group(
                UserPoolId=pool_id, Username=user["username"], GroupName=group
            )

    pki = DevPki.create(f"{pki_url}/ocsp")
    pki.save(state_dir / "pki")
    index_key = properties(template, "IndexKey")
    index_key_id = kms.create_key(
        Description=f"hoso {stage} record index (HMAC)",
        KeySpec=index_key["KeySpec"],
        KeyUsage=index_key["KeyUsage"],
    )["KeyMetadata"]["KeyId"]
    table_store = CaseTable(dynamodb, names["table"])
    for user in USERS:
        if "admin" in user["groups"]:
            entry = {"username": user["username"], "role": "admin", "status": ACTIVE}
            table_store.put_document(person_key(user["username"]), entry)
    return {
        "aws_endpoint_url": endpoint,
        "region": region,
        "user_pool_id": pool_id,
        "user_pool_client_id": client_id,
        "bucket": names["bucket"],
        "table": names["table"],
        "event_bus": names["event_bus"],
        "events_queue_url": queue_url,
        "work_queue_url": work_queue_url,
        "work_queue_max_receives": int(
            properties(template, "WorkQueue")["RedrivePolicy"]["maxReceiveCount"]
        ),
        "index_key_id": index_key_id,
        "archive_key_id": archive_key_arn,
        "trust_anchor_pem": pki.root_pem,
        "tsa_url": f"{pki_url}/tsa",
        "ocsp_url": pki.ocsp_url,
        "dev_ca_url": f"{pki_url}/ca",
        "demo_users": [
            {
                "username": u["username"],
                "password": DEMO_PASSWORD,
                "groups": u["groups"],
                "org": u["org"],
            }
            for u in USERS
        ],
    }


def _work_queue(sqs: Any, template: dict[str, Any], names: dict[str, str]) -> str:
    """The batches' queue and its dead-letter queue, as the template makes them."""
    dead_url = sqs.create_queue(QueueName=names["work_dead_letters"])["QueueUrl"]
    dead_arn = sqs.get_queue_attributes(QueueUrl=dead_url, AttributeNames=["QueueArn"])[
        "Attributes"
    ]["QueueArn"]
    queue = properties(template, "WorkQueue")
    redrive = {
        "deadLetterTargetArn": dead_arn,
        "maxReceiveCount": queue["RedrivePolicy"]["maxReceiveCount"],
    }
    return str(
        sqs.create_queue(
            QueueName=names["work_queue"],
            Attributes={
                "VisibilityTimeout": str(queue["VisibilityTimeout"]),
                "RedrivePolicy": json.dumps(redrive),
            },
        )["QueueUrl"]
    )


def lifecycle_rules(cloudformation: dict[str, Any]) -> dict[str, Any]:
    """The S3 API's form of a CloudFormation ``LifecycleConfiguration``."""
    rules = []
    for rule in cloudformation["Rules"]:
        api: dict[str, Any] = {
            "ID": rule["Id"],
            "Status": rule["Status"],
            "Filter": {"Prefix": rule.get("Prefix", "")},
        }
        if "NoncurrentVersionExpiration" in rule:
            api["NoncurrentVersionExpiration"] = rule["NoncurrentVersionExpiration"]
        if "ExpiredObjectDeleteMarker" in rule:
            api["Expiration"] = {"ExpiredObjectDeleteMarker": rule["ExpiredObjectDeleteMarker"]}
        if "ExpirationInDays" in rule:
            api["Expiration"] = {"Days": rule["ExpirationInDays"]}
        if "AbortIncompleteMultipartUpload" in rule:
            api["AbortIncompleteMultipartUpload"] = rule["AbortIncompleteMultipartUpload"]
        rules.append(api)
    return {"Rules": rules}


def bucket_encryption(cloudformation: dict[str, Any], key_arn: str) -> dict[str, Any]:
    """The S3 API's form of a CloudFormation ``BucketEncryption``, its key being ``key_arn``."""
    rules = []
    for rule in cloudformation["ServerSideEncryptionConfiguration"]:
        default = dict(rule["ServerSideEncryptionByDefault"])
        if "KMSMasterKeyID" in default:
            default["KMSMasterKeyID"] = key_arn
        rules.append(
            {
                "ApplyServerSideEncryptionByDefault": default,
                "BucketKeyEnabled": rule.get("BucketKeyEnabled", False),
            }
        )
    return {"Rules": rules}


# Who seeds the demo directory: the deployment, acting as an admin.
DEPLOYMENT = Principal("deployment", "deployment", frozenset({"admin"}), None)


def seed_directory(services: Services, pki: DevPki) -> None:
    """The demo directory, through the code path admins use (functions/directory.py): each
    organisation and each person (an account with the demo password), and for an
    organisation with a seal and for an officer a platform-held key, its certificate
    request and the certificate the dev CA issues for it."""
    organizations = {org["code"]: org for org in ORGANIZATIONS}
    for org in ORGANIZATIONS:
        register_organization(services, pki, org)
    settings = services.settings
    accounts = CognitoUsers(
        boto_client(settings, "cognito-idp"), settings.user_pool_id, settings.user_pool_client_id
    )
    for user in USERS:
        (role,) = user["groups"]
        if role not in PERSON_ROLES:
            continue
        org = organizations[user["org"]]
        person = {
            "organization": user["org"],
            "position": org["signatory"]["position"],
            "display_name": org["signatory"]["name"],
            "role": role,
        }
        put_person(services, DEPLOYMENT, user["username"], person)
        accounts.set_password(user["username"], DEMO_PASSWORD)
        if role == "officer":
            certify(services, pki, person_key(user["username"]))


def certify(services: Services, pki: DevPki, key: str) -> dict[str, Any]:
    """A new platform-held key for the directory entry ``key``, certified by the dev CA as
    an admin would have it done: the request out, the issued chain imported."""
    request = new_signing_key(services, DEPLOYMENT, key)["certificate_request"]
    chain = pki.issue_for_request(request)
    return import_certificate(services, DEPLOYMENT, key, {"certificate_chain": chain})


def register_organization(services: Services, pki: DevPki, org: dict[str, Any]) -> dict[str, Any]:
    """Put ``org`` (ORGANIZATIONS' shape) in the directory as an admin does, with a seal key
    certified by the dev CA if it has a seal; returns its directory entry."""
    body = {k: v for k, v in org.items() if k != "code"}
    put_organization(services, DEPLOYMENT, org["code"], body)
    if org.get("seal"):
        certify(services, pki, organization_key(org["code"]))
    entry = services.cases.get_organization(org["code"])
    assert entry is not None
    return entry


def stage_environment(outputs: dict[str, Any], trust_anchors_file: Path) -> dict[str, str]:
    """The HOSO_* environment of the API for a local stack's outputs."""
    endpoint = outputs["aws_endpoint_url"]
    return {
        "HOSO_STAGE": "local",
        "AWS_ENDPOINT_URL": endpoint,
        "AWS_DEFAULT_REGION": outputs["region"],
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "HOSO_BUCKET": outputs["bucket"],
        "HOSO_TABLE": outputs["table"],
        "HOSO_EVENT_BUS": outputs["event_bus"],
        "HOSO_USER_POOL_ID": outputs["user_pool_id"],
        "HOSO_USER_POOL_CLIENT_ID": outputs["user_pool_client_id"],
        "HOSO_JWKS_URL": f"{endpoint}/{outputs['user_pool_id']}/.well-known/jwks.json",
        "HOSO_TSA_URL": outputs["tsa_url"],
        "HOSO_ONLINE_VALIDATION_URLS": outputs["ocsp_url"],
        "HOSO_TRUST_ANCHORS_FILE": str(trust_anchors_file),
        "HOSO_INDEX_KEY_ID": outputs["index_key_id"],
        "HOSO_ARCHIVE_KEY_ID": outputs["archive_key_id"],
        "HOSO_WORK_QUEUE_URL": outputs["work_queue_url"],
        "HOSO_WORK_QUEUE_MAX_RECEIVES": str(outputs["work_queue_max_receives"]),
    }
