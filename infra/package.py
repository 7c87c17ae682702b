"""Builds the deployable Lambda package: our packages go into vendor/, then `chalice package`.

`chalice package` takes only app.py, chalicelib/, vendor/ and requirements.txt; every other
top-level package would be dropped without a word. So the build assembles a clean project
folder under .build/ (app.py, .chalice/config.json, requirements.txt from pyproject.toml and
vendor/ holding functions/, signing/, cloud/, templates/ and the trust anchors), packages it
with infra/template.yaml merged in, and leaves `deployment.zip` and `sam.yaml` in the output.

    python -m infra.package [--stage dev] [--out .build/package] [--trust-anchors FILE]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RUNTIME_PACKAGES = ("functions", "signing", "cloud", "templates")
DEFAULT_REGION = "ap-southeast-1"  # Singapore, the region nearest Hà Nội
TEMPLATE = ROOT / "infra" / "template.yaml"
TRUST_ANCHORS_IN_PACKAGE = "trust/anchors.pem"  # relative to /var/task, as the stages say
_LOGS_ONLY_POLICY = {
    "Version": "2012-10-17",
    "Statement": [
        {
            "Effect": "Allow",
            "Action": ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"],
            "Resource": "arn:*:logs:*:*:*",
        }
    ],
}


def runtime_requirements() -> list[str]:
    """The pinned runtime dependencies of pyproject.toml (what the Lambda package carries)."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    return list(project["project"]["dependencies"])


def assemble(project_dir: Path, trust_anchors: Path | None) -> None:
    """Write a Chalice project folder holding everything the Lambda function needs."""
    # Everything but .chalice/deployments (chalice's cache of built dependencies) is rebuilt.
    for stale in ("app.py", "requirements.txt", "vendor", ".chalice/config.json"):
        path = project_dir / stale
        if path.is_dir():
            shutil.rmtree(path)
        elif path.exists():
            path.unlink()
    (project_dir / ".chalice").mkdir(parents=True, exist_ok=True)
    shutil.copy2(ROOT / "app.py", project_dir / "app.py")
    shutil.copy2(ROOT / ".chalice" / "config.json", project_dir / ".chalice" / "config.json")
    # chalice's policy analyser cannot read app.py (and would only see app.py anyway), so the
    # stages set autogen_policy false; the functions' real permissions are FunctionPolicy in
    # infra/template.yaml, attached to the roles chalice generates from this minimal base.
    for stage in ("dev", "prod"):
        (project_dir / ".chalice" / f"policy-{stage}.json").write_text(
            json.dumps(_LOGS_ONLY_POLICY, indent=2), encoding="utf-8"
        )
    (project_dir / "requirements.txt").write_text(
        "\n".join(runtime_requirements()) + "\n", encoding="utf-8"
    )
    vendor = project_dir / "vendor"
    ignore = shutil.ignore_patterns("__pycache__", "*.pyc", ".mypy_cache")
    for package in RUNTIME_PACKAGES:
        shutil.copytree(ROOT / package, vendor / package, ignore=ignore)
    if trust_anchors is not None:
        target = vendor / TRUST_ANCHORS_IN_PACKAGE
        target.parent.mkdir(parents=True)
        shutil.copy2(trust_anchors, target)


def build(stage: str, out_dir: Path, trust_anchors: Path | None, region: str) -> Path:
    """Assemble and package for ``stage``; returns the folder with deployment.zip and sam.yaml."""
    project_dir = out_dir.parent / f"{out_dir.name}-project"
    assemble(project_dir, trust_anchors)
    if out_dir.exists():
        shutil.rmtree(out_dir)
    chalice = Path(sys.executable).with_name("chalice")
    subprocess.run(
        [
            str(chalice),
            "--project-dir",
            str(project_dir),
            "package",
            "--stage",
            stage,
            "--merge-template",
            str(TEMPLATE),
            "--template-format",
            "yaml",
            str(out_dir),
        ],
        check=True,
        env={**os.environ, "AWS_DEFAULT_REGION": region},
    )
    return out_dir


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stage", default="dev", choices=["dev", "prod"])
    parser.add_argument("--region", default=os.environ.get("AWS_DEFAULT_REGION", DEFAULT_REGION))
    parser.add_argument("--out", type=Path, default=ROOT / ".build" / "package")
    parser.add_argument(
        "--trust-anchors",
        type=Path,
        help="PEM file of the CA certificates that signatures must chain to "
        f"(packaged as {TRUST_ANCHORS_IN_PACKAGE})",
    )
    args = parser.parse_args()
    if args.trust_anchors is None:
        print(
            "warning: no --trust-anchors given; the function will refuse to start until "
            f"{TRUST_ANCHORS_IN_PACKAGE} is in the package",
            file=sys.stderr,
        )
    out = build(args.stage, args.out.resolve(), args.trust_anchors, args.region)
    print(f"package: {out / 'deployment.zip'}\ntemplate: {out / 'sam.yaml'}")


if __name__ == "__main__":
    main()
