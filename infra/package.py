"""Builds the deployable Lambda packages: our packages go into vendor/, then `chalice package`,
then one zip per kind of function.

`chalice package` takes only app.py, chalicelib/, vendor/ and requirements.txt; every other
top-level package would be dropped without a word. So the build assembles a clean project
folder under .build/ (app.py, .chalice/config.json, requirements.txt from pyproject.toml and
vendor/ holding functions/, signing/, cloud/, templates/ and the trust anchors), packages it
with infra/template.yaml merged in, and leaves two zips and `sam.yaml` in the output:

- `deployment.zip`, the API function's: everything it loads, previews (pypdfium2) included;
- `jobs.zip`, the batch worker's and the sweep's: the same without previews, which only the
  API makes.

`chalice package` gives every function one zip holding every dependency whole. Both zips
leave out what no function ever loads (``never_loaded``): the models of AWS services the
code does not call, C sources, compiled fontTools accelerators whose pure-Python module is
beside them, and optional parts of libraries that no template or call uses (pikepdf,
pygments and svglib for z3c.rml, Pillow's codecs and features other than its core, lxml's
objectify and html, aiohttp's websockets, powertools beyond its Logger and Metrics,
fontTools' authoring tools, oscrypto's platform trust list), libraries' test suites,
headers and documentation: ``NEVER_LOADED_PREFIXES`` says why each. `tests/e2e/
test_package.py` serves requests from each zip alone, rendering, sealing and archiving.

    python -m infra.package [--stage dev] [--out .build/package] [--trust-anchors FILE]
"""

from __future__ import annotations

import argparse
import copy
import json
import os
import shutil
import subprocess
import sys
import tomllib
import zipfile
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
RUNTIME_PACKAGES = ("functions", "signing", "cloud", "templates", "web")
DEFAULT_REGION = "ap-southeast-1"  # Singapore, the region nearest Hà Nội
TEMPLATE = ROOT / "infra" / "template.yaml"
TRUST_ANCHORS_IN_PACKAGE = "trust/anchors.pem"  # relative to /var/task, as the stages say
# the AWS services cloud/ calls (botocore's models of the others stay out of the packages)
AWS_SERVICES = ("s3", "dynamodb", "sqs", "events", "kms", "cognito-idp")
JOBS_ZIP = "jobs.zip"
JOBS_FUNCTIONS = ("BatchWorker", "ScheduledSweep")  # they never make previews
PREVIEW_PACKAGES = ("pypdfium2/", "pypdfium2_raw/")
POWERTOOLS_UTILITIES_UNUSED = (
    "auth_alpha/",
    "batch/",
    "circuit_breaker/",
    "data_classes/",
    "data_masking/",
    "feature_flags/",
    "idempotency/",
    "kafka/",
    "metadata/",
    "parameters/",
    "parser/",
    "serialization.py",
    "streaming/",
    "typing/",
    "validation/",
)
NEVER_LOADED_PREFIXES = (
    "pygments/",  # z3c.rml highlights code listings with it; no template has one
    # z3c.rml includes other PDFs' pages with pikepdf, imported only if present; no template
    # includes a PDF
    "pikepdf/",
    "pikepdf.libs/",
    "lxml/objectify.",  # the templates are read with lxml.etree alone
    "lxml/html/",
    "aiohttp/_websocket/reader_c.",  # no websockets; aiohttp falls back to reader_py
    # powertools: functions/telemetry.py uses its Logger (with jmespath_utils, which the
    # Logger imports) and Metrics; its event handlers and other utilities are never imported
    "aws_lambda_powertools/event_handler/",
    *(f"aws_lambda_powertools/utilities/{utility}" for utility in POWERTOOLS_UTILITIES_UNUSED),
    # Pillow's optional codecs and features, each in its own compiled module that Pillow
    # imports only when asked for it (a format registers only if its module imports):
    # reportlab reads no AVIF or WebP images, draws its text with its own font code (not
    # Pillow's FreeType module, whose libraries are the only users of libpng and brotli
    # here), converts no colour profiles (ImageCms, lcms2) and uses no Tk or morphology
    "PIL/_avif.",
    "pillow.libs/libavif-",
    "PIL/_webp.",
    "pillow.libs/libwebp",  # libwebp, libwebpmux, libwebpdemux
    "pillow.libs/libsharpyuv-",
    "PIL/_imagingft.",
    "pillow.libs/libfreetype-",
    "pillow.libs/libharfbuzz-",
    "pillow.libs/libpng16-",
    "pillow.libs/libbrotli",
    "PIL/_imagingcms.",
    "pillow.libs/liblcms2-",
    "PIL/_imagingtk.",
    "PIL/_imagingmorph.",
    # pyhanko-certvalidator reads the platform's trust list through oscrypto only for a
    # validation given no trust roots; hoso always gives its own anchors, and must never
    # trust the platform's list, so a path that asked for it fails instead of trusting more
    "oscrypto/",
    # required by pikepdf (left out above) and by aws-xray-sdk, which hoso does not install
    "deprecated/",
    "wrapt/",
    "wrapt-stubs/",
    # z3c.rml draws SVG images with svglib (and its CSS parsers); no template has one
    "svglib/",
    "tinycss2/",
    "cssselect2/",
    "webencodings/",
    # fontTools' font-authoring tools, which neither the subsetter nor pyHanko imports
    "fontTools/ufoLib/",
    "fontTools/voltLib/",
    "fontTools/mtiLib/",
    "fontTools/merge/",
    "fontTools/svgLib/",
    "fontTools/t1Lib/",
    "fontTools/diff/",
    # documentation and demo data: z3c.rml's reference manual, reportlab's demo font and its
    # FontForge source, jsonschema's benchmarks
    "z3c/rml/rml-reference.pdf",
    "reportlab/fonts/DarkGarden",
    "jsonschema/benchmarks/",
)
NEVER_LOADED_FILES = (
    ".c",  # Cython's C sources of the compiled modules
    ".pyx",
    ".pxd",
    ".pxi",  # Cython's includes and C headers, for building against lxml
    ".h",
    "examples-1.json",  # botocore reads a service's examples only to write documentation
)
# libraries' own test suites (z3c.rml's sample PDFs, zope's, jsonschema's), which nothing
# imports at run time; our packages keep their tests out of the package
NEVER_LOADED_FOLDER = "/tests/"
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


def never_loaded(name: str, names: set[str]) -> bool:
    """Whether no function ever loads ``name`` (a path in chalice's zip, whose paths are
    ``names``)."""
    # botocore's service models, and boto3's resource models (which it reads only for
    # boto3.resource, never called here): a service's own folder
    if name.startswith(("botocore/data/", "boto3/data/")):
        parts = name.split("/")
        return len(parts) > 3 and parts[2] not in AWS_SERVICES
    if name.startswith(NEVER_LOADED_PREFIXES) or name.endswith(NEVER_LOADED_FILES):
        return True
    if NEVER_LOADED_FOLDER in name:
        return True
    # fontTools compiles some of its modules with Cython and keeps each one's .py beside it,
    # which Python loads when the compiled one is absent (the same code, a little slower)
    compiled = name.startswith("fontTools/") and name.endswith(".so")
    return compiled and name.split(".", 1)[0] + ".py" in names


def _write_zip(source: zipfile.ZipFile, target: Path, leave_out: tuple[str, ...]) -> None:
    """Copy ``source`` to ``target`` without what no function loads and without the
    folders ``leave_out``; every entry keeps its attributes (modes of shared libraries)."""
    names = set(source.namelist())
    with zipfile.ZipFile(target, "w", zipfile.ZIP_DEFLATED) as written:
        for info in source.infolist():
            if never_loaded(info.filename, names) or info.filename.startswith(leave_out):
                continue
            # a copy: writing an entry changes its offsets, and the source is read again
            written.writestr(copy.copy(info), source.read(info), zipfile.ZIP_DEFLATED)


def split(out_dir: Path) -> None:
    """Make chalice's one zip into the API's (``deployment.zip``) and the jobs' (``jobs.zip``),
    both without what no function loads, and point the jobs' functions at theirs."""
    chalice_zip = out_dir / "deployment.zip"
    whole = out_dir / "chalice-deployment.zip"
    chalice_zip.rename(whole)
    with zipfile.ZipFile(whole) as source:
        _write_zip(source, chalice_zip, ())
        _write_zip(source, out_dir / JOBS_ZIP, PREVIEW_PACKAGES)
    whole.unlink()
    template_path = out_dir / "sam.yaml"
    template = yaml.safe_load(template_path.read_text(encoding="utf-8"))
    for function in JOBS_FUNCTIONS:
        template["Resources"][function]["Properties"]["CodeUri"] = f"./{JOBS_ZIP}"
    template_path.write_text(yaml.safe_dump(template, sort_keys=False), encoding="utf-8")


def unzipped_mb(package: Path) -> float:
    """What a zip holds, unzipped, in MB of 2**20 bytes (Lambda's 250 MB limit counts this)."""
    with zipfile.ZipFile(package) as archive:
        return sum(info.file_size for info in archive.infolist()) / 2**20


def build(stage: str, out_dir: Path, trust_anchors: Path | None, region: str) -> Path:
    """Assemble and package for ``stage``; returns the folder with deployment.zip (the API's),
    jobs.zip (the worker's and the sweep's) and sam.yaml."""
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
    split(out_dir)
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
    for package in ("deployment.zip", JOBS_ZIP):
        print(f"package: {out / package} ({unzipped_mb(out / package):.0f} MB unzipped)")
    print(f"template: {out / 'sam.yaml'}")


if __name__ == "__main__":
    main()
