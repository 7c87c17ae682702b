"""Cross-field rules: every example keeps them, each kind refuses what it should, naming the
field; the catalogue refuses bad definitions at load; a new procedure is only a folder."""

from __future__ import annotations

import copy
import datetime as dt
import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from infra.demo import ORGANIZATIONS
from templates import TEMPLATES_DIR
from templates.catalogue import Catalogue, Procedure
from templates.renderer import document_context, render_pdf
from templates.rules import RuleError, parse_rules, rule_findings


def _errors(procedure: Procedure, data: Any) -> list[tuple[str, str]]:
    """What intake refuses: schema errors, or when there are none, broken rules."""
    return procedure.schema_errors(data) or procedure.rule_errors(data)


CATALOGUE = Catalogue()
ORG = next(o for o in ORGANIZATIONS if o["code"] == "phuong-ba-dinh")


def _procedure(code: str) -> Procedure:
    procedure = CATALOGUE.get(code)
    assert procedure is not None
    return procedure


def _with(procedure: Procedure, **changes: Any) -> dict[str, Any]:
    """The example with dotted paths replaced: ``member__official_date="2010-01-01"``."""
    data = copy.deepcopy(procedure.example)
    for dotted, value in changes.items():
        *parents, last = dotted.split("__")
        node = data
        for part in parents:
            node = node[part]
        node[last] = value
    return data


def test_the_catalogue_holds_the_four_procedures() -> None:
    assert {p.code for p in CATALOGUE.all()} == {
        "chuyen-sinh-hoat-chinh-thuc",
        "chuyen-sinh-hoat-tam-thoi",
        "nhan-xet-noi-cu-tru",
        "dang-phi",
    }


@pytest.mark.parametrize("procedure", CATALOGUE.all(), ids=lambda p: p.code)
def test_every_example_passes_schema_and_rules(procedure: Procedure) -> None:
    assert procedure.schema_errors(procedure.example) == []
    assert procedure.rule_errors(procedure.example) == []
    assert procedure.rules or procedure.code not in {"dang-phi", "chuyen-sinh-hoat-tam-thoi"}


@pytest.mark.parametrize("code", ["chuyen-sinh-hoat-chinh-thuc", "chuyen-sinh-hoat-tam-thoi"])
def test_official_date_before_admission_is_refused(code: str) -> None:
    procedure = _procedure(code)
    data = _with(procedure, member__official_date="2010-01-01")
    problems = _errors(procedure, data)
    assert [path for path, _ in problems] == ["data.member.official_date"]
    assert "data.member.admission_date" in problems[0][1]


@pytest.mark.parametrize(
    "code", ["chuyen-sinh-hoat-chinh-thuc", "chuyen-sinh-hoat-tam-thoi", "nhan-xet-noi-cu-tru"]
)
def test_under_18_at_admission_is_refused(code: str) -> None:
    procedure = _procedure(code)
    admitted = dt.date.fromisoformat(procedure.example["member"]["admission_date"])
    born = admitted.replace(year=admitted.year - 18) + dt.timedelta(days=1)  # 17 years, 364 days
    problems = _errors(procedure, _with(procedure, member__date_of_birth=born.isoformat()))
    assert [path for path, _ in problems] == ["data.member.admission_date"]
    assert "at least 18 years old" in problems[0][1] and "is 17" in problems[0][1]

    exactly = admitted.replace(year=admitted.year - 18)
    assert _errors(procedure, _with(procedure, member__date_of_birth=exactly.isoformat())) == []


@pytest.mark.parametrize(
    ("earlier", "later", "accepted"),
    [
        ("2025-05-19", "2025-05-19", True),  # the same day is not before
        ("2025-05-19", "2025-05-18", False),
        ("2025-05-19", "2025-05", True),  # a month against a date compares the months
        ("2025-05", "2025-04-30", False),
        ("2025-05", "2025-06", True),
    ],
)
def test_date_order(earlier: str, later: str, accepted: bool) -> None:
    rules = parse_rules([{"kind": "date_order", "earlier": "a.start", "later": "b"}])
    findings = rule_findings(rules, {"a": {"start": earlier}, "b": later})
    assert findings == (
        [] if accepted else [("data.b", f"must not be before data.a.start ({earlier})")]
    )
    assert rule_findings(rules, {"b": later}) == []  # an absent field: the rule does not apply


def test_fees_paid_before_admission_month_is_refused() -> None:
    procedure = _procedure("chuyen-sinh-hoat-chinh-thuc")
    problems = _errors(procedure, _with(procedure, fees_paid_until="2015-04"))
    assert [path for path, _ in problems] == ["data.fees_paid_until"]
    assert _errors(procedure, _with(procedure, fees_paid_until="2015-05")) == []  # same month


TEMPORARY = _procedure("chuyen-sinh-hoat-tam-thoi")


@pytest.mark.parametrize(
    ("reason_kind", "to_date", "accepted"),
    [
        ("cong-tac", "2025-11-07", False),  # 2 months
        ("cong-tac", "2025-12-07", True),  # exactly 3 months
        ("cong-tac", "2026-08-07", True),  # 11 months
        ("cong-tac", "2026-09-07", False),  # exactly 12 months: not under one year
        ("lao-dong", "2026-10-07", False),  # 13 months
        ("hoc-tap", "2025-11-07", False),  # 2 months, even for training
        ("hoc-tap", "2027-03-07", True),  # 18 months of training
        ("hoc-tap", "2027-09-07", True),  # exactly 24 months of training
        ("hoc-tap", "2027-10-07", False),  # 25 months of training
    ],
)
def test_the_temporary_period(reason_kind: str, to_date: str, accepted: bool) -> None:
    data = _with(
        TEMPORARY,
        reason_kind=reason_kind,
        period__from_date="2025-09-08",
        period__to_date=to_date,
        valid_until="2025-09-30",
    )
    problems = _errors(TEMPORARY, data)
    if accepted:
        assert problems == []
    else:
        assert [path for path, _ in problems] == ["data.period.to_date"]
        limit = (
            "; when data.reason_kind is 'hoc-tap', it must be at least 3 months and at most 24"
            if reason_kind == "hoc-tap"
            else "; it must be at least 3 months and under 12 months"
        )
        assert limit in problems[0][1]


def test_a_period_ending_before_it_starts_is_refused() -> None:
    data = _with(TEMPORARY, period__from_date="2025-09-08", period__to_date="2025-09-01")
    problems = _errors(TEMPORARY, data)
    assert ("data.period.to_date", "must not be before data.period.from_date (2025-09-08)") in (
        problems
    )


def test_the_message_says_how_long_the_period_is() -> None:
    data = _with(TEMPORARY, reason_kind="cong-tac", period__to_date="2026-10-20")
    ((path, message),) = _errors(TEMPORARY, data)
    assert path == "data.period.to_date"
    assert "is 13 months and 13 days" in message
    assert "at least 3 months and under 12 months" in message


def test_a_temporary_letter_valid_after_its_period_is_refused() -> None:
    problems = _errors(TEMPORARY, _with(TEMPORARY, valid_until="2026-09-08"))
    assert [path for path, _ in problems] == ["data.period.to_date"]
    assert "data.valid_until" in problems[0][1]


FEE = _procedure("dang-phi")


@pytest.mark.parametrize(
    ("category", "income", "months", "amount", "accepted"),
    [
        ("huong-luong", 8_450_000, ("2025-01", "2025-03"), 253_500, True),  # 1 %: 84.500 × 3
        ("huong-luong", 8_450_000, ("2025-01", "2025-03"), 253_000, False),
        ("huu-tri", 4_830_000, ("2025-01", "2025-02"), 48_300, True),  # 0.5 %: 24.150 × 2
        ("huu-tri", 4_830_000, ("2025-01", "2025-02"), 96_600, False),  # 1 % is wrong here
        ("huu-tri", 4_830_100, ("2025-05", "2025-05"), 24_151, True),  # 24.150,5 rounds up
        ("hoc-sinh-sinh-vien", None, ("2024-09", "2025-08"), 24_000, True),  # 2.000 × 12
        ("hoc-sinh-sinh-vien", 3_000_000, ("2025-01", "2025-01"), 2_000, True),  # income ignored
        ("hoc-sinh-sinh-vien", None, ("2025-01", "2025-01"), 30_000, False),
    ],
)
def test_the_party_fee(
    category: str, income: int | None, months: tuple[str, str], amount: int, accepted: bool
) -> None:
    data = _with(FEE, category=category, from_month=months[0], to_month=months[1], amount=amount)
    if income is None:
        del data["income_basis"]
    else:
        data["income_basis"] = income
    problems = _errors(FEE, data)
    if accepted:
        assert problems == []
    else:
        assert [path for path, _ in problems] == ["data.amount"]
        assert problems[0][1].startswith("must be ")


def test_a_wrong_fee_names_the_right_amount() -> None:
    ((path, message),) = _errors(FEE, _with(FEE, amount=250_000))
    assert path == "data.amount"
    assert message == (
        "must be 253500 VND: 1% of data.income_basis (8450000) is 84500 a month, for 3 month(s)"
    )


def test_a_salaried_member_needs_an_income() -> None:
    data = _with(FEE)
    del data["income_basis"]
    assert [path for path, _ in _errors(FEE, data)] == ["data.income_basis"]


def test_fee_months_in_the_wrong_order_are_refused() -> None:
    problems = _errors(FEE, _with(FEE, from_month="2025-03", to_month="2025-01"))
    assert [path for path, _ in problems] == ["data.to_month"]


def test_enum_codes_have_vietnamese_labels() -> None:
    assert TEMPORARY.label("reason_kind", "hoc-tap") == "Đi học tập"
    assert FEE.label("category", "huu-tri") == "Đảng viên hưởng lương hưu"
    assert FEE.label("member.full_name", "x") == "x"


# --- definitions the catalogue refuses at load --------------------------------------------


def _copy(tmp_path: Path, source: str, code: str) -> tuple[Path, dict[str, Any]]:
    folder = tmp_path / code
    shutil.copytree(TEMPLATES_DIR / source, folder)
    spec = json.loads((folder / "procedure.json").read_text(encoding="utf-8"))
    spec["code"] = code
    return folder, spec


def _write(folder: Path, spec: dict[str, Any]) -> None:
    (folder / "procedure.json").write_text(json.dumps(spec, ensure_ascii=False), encoding="utf-8")


def test_an_unknown_rule_kind_is_refused_at_load(tmp_path: Path) -> None:
    folder, spec = _copy(tmp_path, "chuyen-sinh-hoat-chinh-thuc", "thu-nghiem")
    spec["rules"].append({"kind": "same_day", "a": "valid_until", "b": "valid_until"})
    _write(folder, spec)
    with pytest.raises(ValueError, match="procedure thu-nghiem: rules: rule 4 has an unknown kind"):
        Catalogue(tmp_path)


def test_an_example_breaking_its_own_rules_is_refused_at_load(tmp_path: Path) -> None:
    folder, spec = _copy(tmp_path, "dang-phi", "thu-nghiem")
    spec["example"]["amount"] = 1
    _write(folder, spec)
    with pytest.raises(ValueError, match=r"its example breaks its rules.*data\.amount"):
        Catalogue(tmp_path)


def test_a_rule_on_a_field_the_schema_lacks_is_refused_at_load(tmp_path: Path) -> None:
    folder, spec = _copy(tmp_path, "chuyen-sinh-hoat-chinh-thuc", "thu-nghiem")
    spec["rules"][0]["later"] = "member.offical_date"
    _write(folder, spec)
    with pytest.raises(ValueError, match=r"the schema has no field member\.offical_date"):
        Catalogue(tmp_path)


@pytest.mark.parametrize(
    ("spec", "message"),
    [
        ({"kind": "date_order", "earlier": "a"}, "'later' is required"),
        ({"kind": "date_order", "earlier": "a", "later": "b", "strict": True}, "unknown key"),
        ({"kind": "min_age", "birth": "a", "at": "b", "years": "18"}, "'years' has the wrong"),
        ({"kind": "period_months", "start": "a", "end": "b", "limits": []}, "must not be empty"),
        (
            {"kind": "period_months", "start": "a", "end": "b", "limits": [{"when": {}}]},
            "limit 0: needs",
        ),
        (
            {
                "kind": "party_fee",
                "amount": "a",
                "category": "c",
                "income": "i",
                "from_month": "f",
                "to_month": "t",
                "rates": {"x": {"percent": 1, "fixed": 2}},
            },
            "rate 'x'",
        ),
        ({"kind": "date_order", "earlier": "a..b", "later": "c"}, "not a dotted field path"),
    ],
)
def test_malformed_rules_are_refused(spec: dict[str, Any], message: str) -> None:
    with pytest.raises(RuleError, match=message):
        parse_rules([spec])


def test_steps_must_end_with_the_seal_and_name_a_known_level(tmp_path: Path) -> None:
    folder, spec = _copy(tmp_path, "chuyen-sinh-hoat-chinh-thuc", "thu-nghiem")
    spec["steps"][0]["organization"] = "phuong-ba-dinh"
    _write(folder, spec)
    with pytest.raises(ValueError, match="step 0: organization 'phuong-ba-dinh' is not one of"):
        Catalogue(tmp_path)
    spec["steps"][0]["organization"] = "issuer"
    spec["steps"].reverse()
    _write(folder, spec)
    with pytest.raises(ValueError, match="the last step, and only the last, must be the"):
        Catalogue(tmp_path)


def test_two_folders_with_one_code_are_refused_at_load(tmp_path: Path) -> None:
    for name in ("mot", "hai"):
        folder, spec = _copy(tmp_path, "dang-phi", name)
        spec["code"] = "trung-ma"
        _write(folder, spec)
    with pytest.raises(ValueError, match="procedure mot: code 'trung-ma' is already used by hai"):
        Catalogue(tmp_path)


def test_a_fifth_procedure_is_only_a_folder(tmp_path: Path) -> None:
    folder, spec = _copy(tmp_path, "chuyen-sinh-hoat-tam-thoi", "chuyen-sinh-hoat-thu-nghiem")
    spec["title"] = "Thủ tục thử nghiệm"
    spec["document_title"] = "GIẤY GIỚI THIỆU THỬ NGHIỆM"
    _write(folder, spec)
    (procedure,) = Catalogue(tmp_path).all()
    assert procedure.code == "chuyen-sinh-hoat-thu-nghiem"
    assert procedure.public_view()["title"] == "Thủ tục thử nghiệm"
    assert _errors(procedure, procedure.example) == []
    assert _errors(procedure, _with(procedure, member__official_date="2010-01-01")) != []
    rendered = render_pdf(
        procedure,
        document_context(
            procedure, procedure.example, ORG, [ORG, ORG], "1-GGT/ĐU", dt.date(2025, 9, 1)
        ),
    )
    assert rendered.pages == 1 and rendered.pdf.startswith(b"%PDF")
