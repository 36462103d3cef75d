"""What happens in the demo year, drawn from one seeded random generator before anything is
written: when dossiers arrive (by weekday and season, on working days only) and the story of each
one (procedure, channel, reception point, outcome, pace). Pure: no database."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC
from datetime import date
from datetime import datetime
from datetime import timedelta

from engine.rules import calendar
from engine.rules.calendar import LOCAL_TZ

WEEKDAY_WEIGHTS = (1.35, 1.1, 1.0, 1.0, 0.85, 0.3, 0.0)
"""Monday is the busiest day at a one-stop desk; a make-up Saturday sees few people; Sundays and
days off see none (a day off is never a working day, whatever its weekday)."""
TET_BEFORE_DAYS, TET_AFTER_DAYS = 10, 12
TET_BEFORE_FACTOR, TET_AFTER_FACTOR = 0.55, 0.45
"""The Tết dip: fewer arrivals in the days before the lunar new year break and in the weeks after
it, when families are still celebrating."""
MORNING_SHARE = 0.62
"""More people come in the morning than in the afternoon."""

PROCEDURE_SHARES = {
    "newborn_bundle": 0.22,
    "social_allowance": 0.18,
    "certify_copy": 0.17,
    "certify_signature": 0.12,
    "marriage_registration": 0.05,
    "death_registration": 0.05,
    "residence_confirmation": 0.05,
    "permanent_residence": 0.04,
    "marital_status_certificate": 0.04,
    "civil_status_extract_copy": 0.03,
    "civil_status_correction": 0.02,
    "register_book_copy": 0.02,
}
"""Each published procedure's share of the year's arrivals: the two stories the analytics figures
lean on stay high, certification of copies and signatures is what a commune desk sees most,
civil-status and residence matters come in modestly, corrections and copies rarely."""
DEFAULT_SHARE = 0.01
"""A published procedure without a share (a designer's new one) is still played, rarely."""
CHANNEL_SHARES = {"in_person": 0.58, "online": 0.32, "postal": 0.10}
MOBILE_SHARE, HEALTH_FACILITY_SHARE = 0.14, 0.25
"""Of in-person dossiers: taken at a mobile reception point; of in-person newborn bundles: at the
health facility where the child was born."""
ELSEWHERE_SHARE = 0.05
"""Received at another commune of the province than the competent one."""
SLOW_SHARE = 0.09
"""Dossiers whose bottleneck step drags (the late ones, most of them)."""
INCOMPLETE_SHARE, UNANSWERED_SHARE = 0.10, 0.15
"""Newborn bundles found incomplete at the desk (the diagram's own supplement loop), and of
those, the applicants who never bring the papers (the diagram refuses them)."""
PAUSE_SHARE, PAUSE_EXPIRY_SHARE = 0.06, 0.2
"""Dossiers paused for a supplement (form 02) during processing, and of those, never answered
(the sweep refuses them when the applicant's time is up)."""
NOT_ELIGIBLE_SHARE, DECISION_REFUSED_SHARE = 0.07, 0.06
"""Social allowance: not eligible at verification; refused at the decision."""
SETBACK_SHARE = 0.05
"""Other procedures: a step's decision goes against the dossier (refused, not eligible, not found
in the register, the leader declines to sign)."""
REFUSED_SHARE, WITHDRAWN_SHARE = 0.01, 0.02
"""Refused with form 03 by the desk, and withdrawn by the applicant, part-way through."""

MOBILE_POINTS = ("Nhà văn hóa thôn Đông", "Nhà văn hóa thôn Bắc", "Điểm tiếp nhận lưu động chợ xã")
HEALTH_FACILITIES = ("Trạm y tế xã", "Bệnh viện đa khoa huyện")
FAMILY = ("Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi")
MIDDLE = ("Văn", "Thị", "Hữu", "Đức", "Ngọc", "Minh", "Thanh", "Quốc", "Gia", "Bảo")
GIVEN = ("An", "Bình", "Chi", "Dũng", "Giang", "Hà", "Hải", "Hoa", "Hùng", "Lan", "Long", "Mai")
STREETS = ("thôn Đông", "thôn Tây", "thôn Nam", "thôn Bắc", "xóm Chợ", "xóm Giữa")


@dataclass(frozen=True)
class Story:
    """One dossier's year, decided up front so the run is the same for the same seed."""

    number: int
    arrives: datetime
    procedure: str
    commune: int
    """Index into the demo communes: the competent one."""
    receiving: int
    channel: str
    point_kind: str
    point_name: str | None
    applicant: dict[str, str]
    data: dict[str, str]
    slow: bool
    incomplete_rounds: int
    answered: bool
    """The last incomplete round is answered (newborn bundle)."""
    pause: bool
    pause_answered: bool
    eligible: bool
    approved: bool
    refuse_after_hours: float | None
    withdraw_after_hours: float | None
    seed: int
    """For the step durations and form values drawn as the dossier moves."""


def working_days(start: date, end: date) -> list[date]:
    """Working days from `start` up to and excluding `end`, from the shipped calendar."""
    days, day = [], start
    while day < end:
        if calendar.is_working_day(day):
            days.append(day)
        day += timedelta(days=1)
    return days


def tet_breaks(start: date, end: date) -> list[tuple[date, date]]:
    """The lunar new year breaks: runs of four or more days off in January or February."""
    breaks, run_start, day = [], None, start - timedelta(days=40)
    while day <= end + timedelta(days=40):
        off = not calendar.is_working_day(day) and day.month in (1, 2)
        if off and run_start is None:
            run_start = day
        if not off and run_start is not None:
            if (day - run_start).days >= 4:
                breaks.append((run_start, day - timedelta(days=1)))
            run_start = None
        day += timedelta(days=1)
    return breaks


def day_weight(day: date, breaks: list[tuple[date, date]]) -> float:
    weight = WEEKDAY_WEIGHTS[day.weekday()]
    for first, last in breaks:
        if first - timedelta(days=TET_BEFORE_DAYS) <= day < first:
            weight *= TET_BEFORE_FACTOR
        if last < day <= last + timedelta(days=TET_AFTER_DAYS):
            weight *= TET_AFTER_FACTOR
    return weight


def arrivals(rng: random.Random, count: int, start: date, end: date) -> list[datetime]:
    """`count` arrival moments (UTC) on the working days of [start, end), in office hours."""
    days = working_days(start, end)
    if not days:
        raise ValueError("no working day in the demo period")
    breaks = tet_breaks(start, end)
    weights = [day_weight(day, breaks) for day in days]
    hours = calendar.default_calendar().hours
    (morning_open, morning_close), (afternoon_open, afternoon_close) = hours.periods[:2]
    moments = []
    for day in rng.choices(days, weights, k=count):
        opens, closes = (
            (morning_open, morning_close)
            if rng.random() < MORNING_SHARE
            else (afternoon_open, afternoon_close)
        )
        first = datetime.combine(day, opens, tzinfo=LOCAL_TZ)
        span = (datetime.combine(day, closes, tzinfo=LOCAL_TZ) - first).total_seconds()
        moment = first + timedelta(seconds=int(rng.random() * (span - 60)))
        moments.append(moment.astimezone(UTC))
    return sorted(moments)


def procedure_shares(published: list[str]) -> dict[str, float]:
    """The share of each published procedure (in the order given, for a stable draw)."""
    return {code: PROCEDURE_SHARES.get(code, DEFAULT_SHARE) for code in published}


def stories(
    rng: random.Random,
    count: int,
    start: date,
    end: date,
    communes: int,
    published: list[str] | None = None,
) -> list[Story]:
    """The year's stories over the `published` procedures (all with a share when None)."""
    codes = sorted(published) if published is not None else list(PROCEDURE_SHARES)
    shares = procedure_shares(codes)
    if not shares:
        raise ValueError("no published procedure to play")
    return [
        _story(rng, number, moment, communes, shares)
        for number, moment in enumerate(arrivals(rng, count, start, end), start=1)
    ]


def _pick(rng: random.Random, shares: dict[str, float]) -> str:
    return rng.choices(list(shares), list(shares.values()))[0]


def _story(
    rng: random.Random, number: int, arrives: datetime, communes: int, shares: dict[str, float]
) -> Story:
    procedure = _pick(rng, shares)
    commune = 0 if communes == 1 or rng.random() < 0.6 else rng.randrange(1, communes)
    receiving = commune
    if communes > 1 and rng.random() < ELSEWHERE_SHARE:
        receiving = (commune + 1) % communes
    channel = _pick(rng, CHANNEL_SHARES)
    point_kind, point_name = "counter", None
    if channel == "in_person":
        roll = rng.random()
        if procedure == "newborn_bundle" and roll < HEALTH_FACILITY_SHARE:
            point_kind, point_name = "health_facility", rng.choice(HEALTH_FACILITIES)
        elif roll > 1 - MOBILE_SHARE:
            point_kind, point_name = "mobile", rng.choice(MOBILE_POINTS)
    family = rng.choice(FAMILY)
    applicant = {
        "full_name": f"{family} {rng.choice(MIDDLE)} {rng.choice(GIVEN)}",
        "id_number": f"0{rng.randrange(10**11):011d}",
        "address": f"Số {rng.randrange(1, 200)}, {rng.choice(STREETS)}",
    }
    data = _reception_data(rng, procedure, arrives, family, applicant)
    incomplete = procedure == "newborn_bundle" and rng.random() < INCOMPLETE_SHARE
    roll = rng.random()
    ending = roll < REFUSED_SHARE + WITHDRAWN_SHARE
    return Story(
        number=number,
        arrives=arrives,
        procedure=procedure,
        commune=commune,
        receiving=receiving,
        channel=channel,
        point_kind=point_kind,
        point_name=point_name,
        applicant=applicant,
        data=data,
        slow=rng.random() < SLOW_SHARE,
        incomplete_rounds=(2 if rng.random() < 0.15 else 1) if incomplete else 0,
        answered=rng.random() >= UNANSWERED_SHARE,
        pause=rng.random() < PAUSE_SHARE,
        pause_answered=rng.random() >= PAUSE_EXPIRY_SHARE,
        eligible=rng.random() >= NOT_ELIGIBLE_SHARE,
        approved=rng.random() >= DECISION_REFUSED_SHARE,
        refuse_after_hours=rng.uniform(1, 20) if ending and roll < REFUSED_SHARE else None,
        withdraw_after_hours=rng.uniform(2, 30) if ending and roll >= REFUSED_SHARE else None,
        seed=rng.getrandbits(32),
    )


def _reception_data(
    rng: random.Random, procedure: str, arrives: datetime, family: str, applicant: dict[str, str]
) -> dict[str, str]:
    """What the desk records besides the applicant: the newborn bundle's reception form."""
    if procedure != "newborn_bundle":
        return {}
    born = (arrives - timedelta(days=rng.randrange(3, 55))).astimezone(LOCAL_TZ).date()
    return {
        "child_full_name": f"{family} {rng.choice(MIDDLE)} {rng.choice(GIVEN)}",
        "child_birth_date": born.isoformat(),
        "child_sex": rng.choice(("male", "female")),
        "child_birth_place": rng.choice(HEALTH_FACILITIES),
        "mother_full_name": f"{rng.choice(FAMILY)} Thị {rng.choice(GIVEN)}",
        "mother_id_number": f"0{rng.randrange(10**11):011d}",
        "father_full_name": applicant["full_name"],
        "father_id_number": applicant["id_number"],
        "residence_address": applicant["address"],
    }


STEP_HOURS: dict[str, tuple[float, float]] = {
    "check_dossier": (0.2, 0.3),
    "receive_supplement": (14.0, 0.3),
    "register_birth": (1.0, 0.6),
    "register_residence": (12.0, 1.5),
    "issue_health_insurance_card": (5.0, 0.5),
    "return_results": (3.0, 0.2),
    "verify_beneficiary": (4.0, 1.0),
    "guide_online_submission": (3.0, 0.5),
    "process_dossier": (22.0, 3.0),
    "return_result": (4.0, 0.3),
    "return_refusal": (4.0, 0.3),
}
"""Median working hours a step waits in its queue, then is worked (claimed to completed):
register_residence and process_dossier are the bottlenecks a heat map should show."""
BOTTLENECKS = frozenset({"register_residence", "process_dossier"})
SLOW_FACTOR = (4.0, 7.0)


def step_hours(rng: random.Random, element_id: str, story: Story) -> tuple[float, float]:
    """(waiting, working) office hours for one step of one dossier: log-normal around the
    step's medians, the bottleneck stretched for a slow dossier."""
    waiting, working = STEP_HOURS.get(element_id, (2.0, 0.5))
    wait = rng.lognormvariate(0, 0.6) * waiting
    if story.slow and element_id in BOTTLENECKS:
        wait *= rng.uniform(*SLOW_FACTOR)
    return wait, max(0.05, rng.lognormvariate(0, 0.5) * working)
