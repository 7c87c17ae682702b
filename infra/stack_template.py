"""Reads infra/template.yaml (CloudFormation), the one description of the stack's resources."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

TEMPLATE_FILE = Path(__file__).resolve().parent / "template.yaml"


class _CloudFormationLoader(yaml.SafeLoader):
    """YAML with CloudFormation's short tags (``!Ref X`` becomes ``{"Ref": "X"}``)."""


def _intrinsic(loader: yaml.SafeLoader, tag_suffix: str, node: yaml.Node) -> dict[str, Any]:
    name = "Ref" if tag_suffix == "Ref" else f"Fn::{tag_suffix}"
    value: Any
    if isinstance(node, yaml.ScalarNode):
        value = loader.construct_scalar(node)
        if tag_suffix == "GetAtt":
            value = str(value).split(".", 1)
    elif isinstance(node, yaml.SequenceNode):
        value = loader.construct_sequence(node, deep=True)
    else:
        value = loader.construct_mapping(node, deep=True)
    return {name: value}


_CloudFormationLoader.add_multi_constructor("!", _intrinsic)


def load_template(path: Path = TEMPLATE_FILE) -> dict[str, Any]:
    """The template as plain data, intrinsic functions in their long form."""
    with path.open(encoding="utf-8") as stream:
        return dict(yaml.load(stream, Loader=_CloudFormationLoader))  # noqa: S506 (safe subclass)


def properties(template: dict[str, Any], logical_id: str) -> dict[str, Any]:
    """The ``Properties`` of one resource."""
    return dict(template["Resources"][logical_id].get("Properties", {}))


def of_type(template: dict[str, Any], resource_type: str) -> list[dict[str, Any]]:
    """The ``Properties`` of every resource of a CloudFormation type, in template order."""
    return [
        dict(resource.get("Properties", {}))
        for resource in template["Resources"].values()
        if resource.get("Type") == resource_type  # a resource merged into chalice's has none
    ]
