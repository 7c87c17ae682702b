"""Cross-field rules on a procedure's data, declared in its procedure.json, checked here."""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any, ClassVar

# JSON Schema cannot compare two fields, so a procedure lists its cross-field rules in
# procedure.json under "rules", each an object with a "kind" from this vocabulary and
# dotted paths under `data` ("member.admission_date"). A rule whose fields are absent
# from the data (optional fields) does not apply. Rules run after the schema has passed.
#
#   {"kind": "date_order", "earlier": PATH, "later": PATH}
#       ``later`` is not before ``earlier``. Dates (YYYY-MM-DD) or months (YYYY-MM);
#       a month against a date compares the months. Blames ``later``.
#   {"kind": "min_age", "birth": PATH, "at": PATH, "years": N}
#       whoever was born on ``birth`` is at least N years old on ``at``. Blames ``at``.
#   {"kind": "period_months", "start": PATH, "end": PATH, "limits": [LIMIT, ...]}
#       the period from ``start`` to ``end`` (both days included) fits the first LIMIT
#       whose "when" ({PATH: [allowed values]}) matches the data, or that has no "when":
#       "at_least" N months, "under" N months, "at_most" N months (any of the three).
#       Blames ``end``.
#   {"kind": "party_fee", "amount": PATH, "category": PATH, "income": PATH,
#    "from_month": PATH, "to_month": PATH, "rates": {CATEGORY: {"percent": P} | {"fixed": VND}}}
#       ``amount`` (VND) is the monthly fee times the months from ``from_month`` to
#       ``to_month`` (both included); the monthly fee is P % of ``income`` rounded half up to
#       the đồng, or the fixed amount. Blames ``amount`` (``income`` when it is missing).

Finding = tuple[str, str]  # (field path under "data", what is wrong)

_MISSING = object()


class RuleError(ValueError):
    """A rule definition that cannot be used: unknown kind, missing or unknown key."""


def value_at(data: Any, path: str) -> Any:
    """The value at a dotted ``path`` in ``data``, or ``_MISSING``."""
    node = data
    for part in path.split("."):
        if not isinstance(node, Mapping) or part not in node:
            return _MISSING
        node = node[part]
    return node


def _field(path: str) -> str:
    return f"data.{path}"


@dataclass(frozen=True)
class _Day:
    """A date or a month (then ``day`` is None), as the data writes them."""

    year: int
    month: int
    day: int | None

    @classmethod
    def parse(cls, value: Any) -> _Day | None:
        if not isinstance(value, str):
            return None
        try:
            if len(value) == 7:
                month = dt.date.fromisoformat(f"{value}-01")
                return cls(month.year, month.month, None)
            date = dt.date.fromisoformat(value)
        except ValueError:
            return None
        return cls(date.year, date.month, date.day)

    def first_day(self) -> dt.date:
        return dt.date(self.year, self.month, self.day or 1)

    def day_after(self) -> dt.date:
        """The first day after this date, or after this whole month."""
        if self.day is not None:
            return self.first_day() + dt.timedelta(days=1)
        return _add_months(dt.date(self.year, self.month, 1), 1)

    def before(self, other: _Day) -> bool:
        if self.day is None or other.day is None:
            return (self.year, self.month) < (other.year, other.month)
        return self.first_day() < other.first_day()


def month_count(first: str, last: str) -> int:
    """Months from ``first`` to ``last`` (YYYY-MM), both included; < 1 if ``last`` is earlier."""
    start, end = _Day.parse(first), _Day.parse(last)
    if start is None or end is None:
        raise ValueError(f"not months: {first!r}, {last!r}")
    return (end.year - start.year) * 12 + end.month - start.month + 1


def _add_months(day: dt.date, months: int) -> dt.date:
    year, month = divmod(day.month - 1 + months, 12)
    year += day.year
    month += 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


class _Spec:
    """Reads one rule definition, refusing missing, mistyped and unknown keys."""

    def __init__(self, spec: Mapping[str, Any], where: str = "", *read: str) -> None:
        self._spec = spec
        self._where = f"{where}: " if where else ""
        self._read = set(read)

    def get(self, name: str, kind: type | tuple[type, ...], required: bool = True) -> Any:
        self._read.add(name)
        if name not in self._spec:
            if required:
                raise RuleError(f"{self._where}{name!r} is required")
            return None
        value = self._spec[name]
        if not isinstance(value, kind) or isinstance(value, bool):
            raise RuleError(f"{self._where}{name!r} has the wrong type")
        return value

    def path(self, name: str) -> str:
        value: str = self.get(name, str)
        if any(not part for part in value.split(".")):
            raise RuleError(f"{self._where}{name!r} is not a dotted field path")
        return value

    def done(self) -> None:
        unknown = sorted(set(self._spec) - self._read)
        if unknown:
            raise RuleError(f"{self._where}unknown key(s) {', '.join(map(repr, unknown))}")


@dataclass(frozen=True)
class DateOrder:
    """``later`` is not before ``earlier``."""

    kind: ClassVar[str] = "date_order"
    earlier: str
    later: str

    @classmethod
    def parse(cls, spec: _Spec) -> DateOrder:
        return cls(earlier=spec.path("earlier"), later=spec.path("later"))

    def paths(self) -> tuple[str, ...]:
        return (self.earlier, self.later)

    def check(self, data: Mapping[str, Any]) -> list[Finding]:
        earlier = _Day.parse(value_at(data, self.earlier))
        later = _Day.parse(value_at(data, self.later))
        if earlier is None or later is None or not later.before(earlier):
            return []
        return [
            (
                _field(self.later),
                f"must not be before {_field(self.earlier)} ({value_at(data, self.earlier)})",
            )
        ]


@dataclass(frozen=True)
class MinAge:
    """Whoever was born on ``birth`` is at least ``years`` old on ``at``."""

    kind: ClassVar[str] = "min_age"
    birth: str
    at: str
    years: int

    @classmethod
    def parse(cls, spec: _Spec) -> MinAge:
        years = spec.get("years", int)
        if years < 0:
            raise RuleError("'years' must not be negative")
        return cls(birth=spec.path("birth"), at=spec.path("at"), years=years)

    def paths(self) -> tuple[str, ...]:
        return (self.birth, self.at)

    def check(self, data: Mapping[str, Any]) -> list[Finding]:
        birth = _Day.parse(value_at(data, self.birth))
        at = _Day.parse(value_at(data, self.at))
        if birth is None or at is None:
            return []
        born, then = birth.first_day(), at.first_day()
        age = then.year - born.year - ((then.month, then.day) < (born.month, born.day))
        if age >= self.years:
            return []
        return [
            (
                _field(self.at),
                f"must be when the person born on {_field(self.birth)} "
                f"({value_at(data, self.birth)}) is at least {self.years} years old "
                f"(the age then is {max(age, 0)})",
            )
        ]


@dataclass(frozen=True)
class MonthLimit:
    """Bounds on a period's length in months, for the data that ``when`` matches."""

    when: tuple[tuple[str, tuple[Any, ...]], ...]
    at_least: int | None
    under: int | None
    at_most: int | None

    def applies(self, data: Mapping[str, Any]) -> bool:
        return all(value_at(data, path) in allowed for path, allowed in self.when)

    def describe(self) -> str:
        bounds = []
        if self.at_least is not None:
            bounds.append(f"at least {self.at_least} months")
        if self.under is not None:
            bounds.append(f"under {self.under} months")
        if self.at_most is not None:
            bounds.append(f"at most {self.at_most} months")
        return " and ".join(bounds)


@dataclass(frozen=True)
class PeriodMonths:
    """The period from ``start`` to ``end`` (both included) is within the applicable limits."""

    kind: ClassVar[str] = "period_months"
    start: str
    end: str
    limits: tuple[MonthLimit, ...]

    @classmethod
    def parse(cls, spec: _Spec) -> PeriodMonths:
        start, end = spec.path("start"), spec.path("end")
        limits = []
        for index, item in enumerate(spec.get("limits", list)):
            where = f"limit {index}"
            if not isinstance(item, Mapping):
                raise RuleError(f"{where} is not an object")
            limit = _Spec(item, where)
            when = limit.get("when", dict, required=False) or {}
            conditions = []
            for path, allowed in when.items():
                if not isinstance(allowed, list) or not allowed:
                    raise RuleError(f"{where}: 'when' maps a path to a list of values")
                conditions.append((path, tuple(allowed)))
            bounds = [
                limit.get(name, int, required=False) for name in ("at_least", "under", "at_most")
            ]
            limit.done()
            if all(b is None for b in bounds):
                raise RuleError(f"{where}: needs 'at_least', 'under' or 'at_most'")
            limits.append(MonthLimit(tuple(conditions), *bounds))
        if not limits:
            raise RuleError("'limits' must not be empty")
        return cls(start=start, end=end, limits=tuple(limits))

    def paths(self) -> tuple[str, ...]:
        return (self.start, self.end, *(p for limit in self.limits for p, _ in limit.when))

    def check(self, data: Mapping[str, Any]) -> list[Finding]:
        start = _Day.parse(value_at(data, self.start))
        end = _Day.parse(value_at(data, self.end))
        if start is None or end is None:
            return []
        if end.before(start):
            return [
                (
                    _field(self.end),
                    f"must not be before {_field(self.start)} ({value_at(data, self.start)})",
                )
            ]
        limit = next((li for li in self.limits if li.applies(data)), None)
        if limit is None:
            return []
        first, after = start.first_day(), end.day_after()

        def fits(months: int | None, check: Callable[[dt.date, dt.date], bool]) -> bool:
            return months is None or check(after, _add_months(first, months))

        if (
            fits(limit.at_least, lambda a, b: a >= b)
            and fits(limit.under, lambda a, b: a < b)
            and fits(limit.at_most, lambda a, b: a <= b)
        ):
            return []
        months = 0
        while _add_months(first, months + 1) <= after:
            months += 1
        days = (after - _add_months(first, months)).days
        length = f"{months} months" + (f" and {days} days" if days else "")
        condition = "".join(
            f"when {_field(path)} is {value_at(data, path)!r}, " for path, _ in limit.when
        )
        return [
            (
                _field(self.end),
                f"the period from {_field(self.start)} to this date is {length}; "
                f"{condition}it must be {limit.describe()}",
            )
        ]


@dataclass(frozen=True)
class FeeRate:
    """A party-fee rate: a percentage of the monthly income, or a fixed amount a month."""

    percent: Decimal | None
    fixed: int | None

    def monthly(self, income: int) -> int:
        if self.fixed is not None:
            return self.fixed
        assert self.percent is not None
        return int((Decimal(income) * self.percent / 100).quantize(Decimal(1), ROUND_HALF_UP))


@dataclass(frozen=True)
class PartyFee:
    """``amount`` is the monthly party fee for the member's category times the months paid."""

    kind: ClassVar[str] = "party_fee"
    amount: str
    category: str
    income: str
    from_month: str
    to_month: str
    rates: tuple[tuple[str, FeeRate], ...]

    @classmethod
    def parse(cls, spec: _Spec) -> PartyFee:
        rates = []
        for category, rate in spec.get("rates", dict).items():
            where = f"rate {category!r}"
            if not isinstance(rate, Mapping) or len(rate) != 1:
                raise RuleError(f"{where}: one of {{'percent': P}} or {{'fixed': VND}}")
            ((name, value),) = rate.items()
            if name == "percent" and isinstance(value, int | float) and not isinstance(value, bool):
                try:
                    percent = Decimal(str(value))
                except InvalidOperation as error:
                    raise RuleError(f"{where}: not a number") from error
                if not 0 < percent <= 100:
                    raise RuleError(f"{where}: the percentage must be in (0, 100]")
                rates.append((category, FeeRate(percent, None)))
            elif name == "fixed" and isinstance(value, int) and not isinstance(value, bool):
                if value <= 0:
                    raise RuleError(f"{where}: the fixed amount must be positive")
                rates.append((category, FeeRate(None, value)))
            else:
                raise RuleError(f"{where}: one of {{'percent': P}} or {{'fixed': VND}}")
        if not rates:
            raise RuleError("'rates' must not be empty")
        return cls(
            amount=spec.path("amount"),
            category=spec.path("category"),
            income=spec.path("income"),
            from_month=spec.path("from_month"),
            to_month=spec.path("to_month"),
            rates=tuple(rates),
        )

    def paths(self) -> tuple[str, ...]:
        return (self.amount, self.category, self.income, self.from_month, self.to_month)

    def rate(self, category: Any) -> FeeRate | None:
        return dict(self.rates).get(category)

    def check(self, data: Mapping[str, Any]) -> list[Finding]:
        amount = value_at(data, self.amount)
        category = value_at(data, self.category)
        first, last = value_at(data, self.from_month), value_at(data, self.to_month)
        if (
            amount is _MISSING
            or category is _MISSING
            or None in (_Day.parse(first), _Day.parse(last))
        ):
            return []
        months = month_count(first, last)
        if months < 1:
            return [
                (_field(self.to_month), f"must not be before {_field(self.from_month)} ({first})")
            ]
        rate = self.rate(category)
        if rate is None:
            return [(_field(self.category), f"has no party-fee rate for {category!r}")]
        income = value_at(data, self.income)
        if rate.percent is not None and not isinstance(income, int):
            return [
                (_field(self.income), f"is required when {_field(self.category)} is {category!r}")
            ]
        monthly = rate.monthly(income if isinstance(income, int) else 0)
        expected = monthly * months
        if amount == expected:
            return []
        basis = (
            f"{rate.percent}% of {_field(self.income)} ({income})"
            if rate.percent is not None
            else f"the fixed fee for {category!r}"
        )
        return [
            (
                _field(self.amount),
                f"must be {expected} VND: {basis} is {monthly} a month, for {months} month(s)",
            )
        ]


Rule = DateOrder | MinAge | PeriodMonths | PartyFee

KINDS: dict[str, Callable[[_Spec], Rule]] = {
    DateOrder.kind: DateOrder.parse,
    MinAge.kind: MinAge.parse,
    PeriodMonths.kind: PeriodMonths.parse,
    PartyFee.kind: PartyFee.parse,
}


def parse_rules(specs: Any) -> tuple[Rule, ...]:
    """The rules of a procedure.json's "rules" list; RuleError names the bad one."""
    if specs is None:
        return ()
    if not isinstance(specs, list):
        raise RuleError("'rules' must be a list")
    rules = []
    for index, spec in enumerate(specs):
        if not isinstance(spec, Mapping):
            raise RuleError(f"rule {index} is not an object")
        kind = spec.get("kind")
        if kind not in KINDS:
            raise RuleError(
                f"rule {index} has an unknown kind {kind!r} (known: {', '.join(sorted(KINDS))})"
            )
        reader = _Spec(spec, "", "kind")
        try:
            rule = KINDS[kind](reader)
            reader.done()
        except RuleError as error:
            raise RuleError(f"rule {index} ({kind}): {error}") from error
        rules.append(rule)
    return tuple(rules)


def rule_findings(rules: tuple[Rule, ...], data: Mapping[str, Any]) -> list[Finding]:
    """Every broken rule as (field path under ``data``, problem), in the rules' order."""
    return [finding for rule in rules for finding in rule.check(data)]
