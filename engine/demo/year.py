"""Playing the demo year through the engine's commands, in time order, with the clock each command
takes (`now=`): receive, claim, complete, request and record supplements, the sweep's expiry,
refuse, withdraw. What lands in the dossier, task and event tables is what real use writes."""

from __future__ import annotations

import heapq
import random
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from dataclasses import field
from datetime import UTC
from datetime import datetime
from datetime import timedelta
from typing import Any

from sqlalchemy import func
from sqlalchemy import select

from engine.access.accounts import load_actor
from engine.access.actors import Actor
from engine.bpmn.versions import compiled_for
from engine.bpmn.versions import spec_key_of
from engine.catalogue.demo import COMMUNE_USERS
from engine.catalogue.demo import COMMUNES
from engine.demo.forms import form_data
from engine.demo.forms import generic_data
from engine.demo.plan import Story
from engine.demo.plan import step_hours
from engine.demo.plan import stories
from engine.dossiers import endings
from engine.dossiers import supplements
from engine.dossiers.receive import Submission
from engine.dossiers.receive import check_submission
from engine.dossiers.receive import receive
from engine.errors import Conflict
from engine.errors import InvalidData
from engine.models import Dossier
from engine.models import Event
from engine.models import Procedure
from engine.models import ProcedureVersion
from engine.models import SupplementRequest
from engine.models import Task
from engine.models import Unit
from engine.models import User
from engine.rules import calendar
from engine.rules.forms import RECEPTION_FORM
from engine.rules.forms import Field
from engine.rules.status import OPEN
from engine.store.uow import UnitOfWork
from engine.work import tasks as task_commands

MARK = {"generated_by": "demo-year"}
"""Written into each demo dossier's `received` event, so a later run can tell demo dossiers from
real ones (and never mix into real data)."""
DAYS = 365


@dataclass(frozen=True)
class YearResult:
    dossiers: int
    commands: int
    seconds: float
    statuses: dict[str, int]
    channels: dict[str, int]


@dataclass(order=True)
class _Due:
    at: datetime
    order: int
    action: str = field(compare=False)
    case: _Case = field(compare=False)
    task_id: int = field(compare=False, default=0)


@dataclass(frozen=True)
class _OpenStep:
    element_id: str
    role: str
    unit_id: int
    form: str | None


@dataclass(eq=False)
class _Case:
    story: Story
    rng: random.Random
    dossier_id: int = 0
    tasks: dict[int, _OpenStep] = field(default_factory=dict)
    """The tasks seen open, by id: what claiming and completing them needs."""
    rounds: int = 0
    paused: bool = False
    ended: bool = False


def foreign_dossiers(uow: UnitOfWork) -> int:
    """Dossiers the demo year did not write: real data a demo run must not mix into."""
    demo = select(Event.dossier_id).where(
        Event.kind == "received", Event.detail["generated_by"].as_string() == MARK["generated_by"]
    )
    return uow.session.scalar(select(func.count(Dossier.id)).where(Dossier.id.not_in(demo))) or 0


def dossier_count(uow: UnitOfWork) -> int:
    return uow.session.scalar(select(func.count(Dossier.id))) or 0


def play_year(
    new_uow: Callable[[], UnitOfWork],
    *,
    dossiers: int,
    seed: int,
    until: datetime,
    force: bool = False,
    progress: Callable[[str], None] = lambda _: None,
) -> YearResult:
    """Receive `dossiers` dossiers over the year before `until` (UTC) and work each through its
    procedure up to `until`; what would happen later stays open. Refused on a database holding
    dossiers the demo did not write, unless `force`: demo data never mixes into real data."""
    started = time.perf_counter()
    end = until.astimezone(calendar.LOCAL_TZ).date()
    rng = random.Random(seed)  # noqa: S311 - demo data, not secrets
    with new_uow() as uow:
        foreign = foreign_dossiers(uow)
        if foreign and not force:
            raise Conflict(
                f"the database holds {foreign:,} dossiers the demo did not write; demo data "
                "never mixes into real data unless forced (--force)",
                foreign=foreign,
            )
        cast = _Cast.load(uow)
    plans = stories(
        rng, dossiers, end - timedelta(days=DAYS), end, len(cast.units), sorted(cast.forms)
    )
    queue: list[_Due] = []
    order = 0

    def plan(at: datetime, action: str, case: _Case, task_id: int = 0) -> None:
        nonlocal order
        order += 1
        heapq.heappush(queue, _Due(at, order, action, case, task_id))

    for story in plans:
        plan(story.arrives, "receive", _Case(story, random.Random(story.seed)))  # noqa: S311
    player = _Player(new_uow, cast, plan)
    done, step = 0, max(1, dossiers // 10)
    while queue:
        due = heapq.heappop(queue)
        if due.at >= until or due.case.ended:
            continue
        player.act(due)
        if due.action == "receive":
            done += 1
            if done % step == 0 or done == dossiers:
                progress(f"  {done:,}/{dossiers:,} dossiers received ({due.at:%Y-%m-%d})")
    with new_uow() as uow:
        statuses, channels = _counts(uow)
    return YearResult(dossiers, player.commands, time.perf_counter() - started, statuses, channels)


def _counts(uow: UnitOfWork) -> tuple[dict[str, int], dict[str, int]]:
    demo = select(Event.dossier_id).where(
        Event.kind == "received", Event.detail["generated_by"].as_string() == MARK["generated_by"]
    )
    rows = uow.session.execute(
        select(Dossier.status, Dossier.channel).where(Dossier.id.in_(demo))
    ).all()
    return dict(Counter(r.status for r in rows)), dict(Counter(r.channel for r in rows))


@dataclass(frozen=True)
class _Cast:
    """The demo communes and the demo users who work them."""

    units: list[tuple[int, str]]
    """(id, code) of each demo commune."""
    actors: dict[tuple[str, int], Actor]
    """(role, unit id) -> the demo user holding it."""
    forms: dict[str, dict[str, list[Field]]]
    """Published procedure code -> its current version's forms by file name: what is played."""

    @classmethod
    def load(cls, uow: UnitOfWork) -> _Cast:
        session = uow.session
        codes = [code for code, _, _ in COMMUNES]
        units = {u.code: u.id for u in session.scalars(select(Unit).where(Unit.code.in_(codes)))}
        missing = [code for code in codes if code not in units]
        if missing:
            raise InvalidData(
                "the demo communes are missing: run `flask prepare` first",
                {"units": [f"Thiếu đơn vị demo: {', '.join(missing)}."]},
            )
        actors = {}
        for index, code in enumerate(codes, start=1):
            for prefix, _, role in COMMUNE_USERS:
                user_id = session.scalar(select(User.id).where(User.username == f"{prefix}{index}"))
                if user_id is not None:
                    actors[role, units[code]] = load_actor(session, user_id)
        published = session.execute(
            select(Procedure.code, ProcedureVersion).join(
                ProcedureVersion, Procedure.current_version_id == ProcedureVersion.id
            )
        ).all()
        procedure_forms = {
            code: compiled_for(session, spec_key_of(version), version.id).forms
            for code, version in published
        }
        return cls([(units[code], code) for code in codes], actors, procedure_forms)


class _Player:
    """Carries out one due action with the engine's commands, then plans what follows."""

    def __init__(
        self,
        new_uow: Callable[[], UnitOfWork],
        cast: _Cast,
        plan: Callable[..., None],
    ) -> None:
        self.new_uow = new_uow
        self.cast = cast
        self.plan = plan
        self.commands = 0

    def act(self, due: _Due) -> None:
        getattr(self, f"_{due.action}")(due.case, due.at, due.task_id)
        self.commands += 1

    # --- the commands ---------------------------------------------------------------------

    def _receive(self, case: _Case, now: datetime, _: int) -> None:
        story = case.story
        receiving_id, _code = self.cast.units[story.receiving]
        competent_code = self.cast.units[story.commune][1]
        point = {"kind": story.point_kind, "name": story.point_name or ""}
        data = story.data
        reception = self.cast.forms[story.procedure].get(RECEPTION_FORM)
        if not data and reception:  # what the desk records, drawn from the procedure's form
            today = calendar.to_local(now).date()
            data = generic_data(reception, story, case.rng, today=today)
        submission = Submission(
            procedure_code=story.procedure,
            applicant=story.applicant,
            channel=story.channel,
            data=data,
            unit=competent_code,
            reception_point=point,
        )
        check_submission(submission)
        actor = self.cast.actors["reception", receiving_id]
        with self.new_uow() as uow:
            uow.begin_write()
            dossier = receive(uow, actor, submission, now=now, extra_event_detail=MARK)
            uow.commit()
            case.dossier_id = dossier.id
        if story.refuse_after_hours is not None:
            self.plan(self._after(now, story.refuse_after_hours), "refuse", case)
        if story.withdraw_after_hours is not None:
            self.plan(self._after(now, story.withdraw_after_hours), "withdraw", case)
        self._follow(case, now)

    def _claim(self, case: _Case, now: datetime, task_id: int) -> None:
        step = case.tasks[task_id]
        with self.new_uow() as uow:
            try:
                task_commands.claim(uow, self._actor(step), task_id, now=now)
            except Conflict:
                return  # cancelled meanwhile (withdrawn, refused)
        _, working = step_hours(case.rng, step.element_id, case.story)
        if self._pauses_here(case, step.element_id):
            case.paused = True
            self.plan(self._after(now, working / 2), "pause", case, task_id)
            return
        self.plan(self._after(now, working), "complete", case, task_id)

    def _complete(self, case: _Case, now: datetime, task_id: int) -> None:
        step = case.tasks[task_id]
        today = now.astimezone(calendar.LOCAL_TZ).date()
        fields = self.cast.forms[case.story.procedure].get(step.form) if step.form else None
        data = form_data(
            step.element_id, case.story, case.rng, rounds=case.rounds, today=today, fields=fields
        )
        if step.element_id == "check_dossier" and data.get("dossier_complete") == "no":
            case.rounds += 1
        with self.new_uow() as uow:
            try:
                task_commands.complete(uow, self._actor(step), task_id, data, now=now)
            except Conflict:
                return  # ended meanwhile (withdrawn, refused): nothing left to do
        self._follow(case, now)

    def _pause(self, case: _Case, now: datetime, task_id: int) -> None:
        """Form 02: the specialist holding the step asks for a missing paper; the clock stops."""
        with self.new_uow() as uow:
            supplements.request_supplement(
                uow,
                self._actor(case.tasks[task_id]),
                case.dossier_id,
                reason="Cần bổ sung giấy tờ để xác minh",
                items=["Bản sao giấy xác nhận của thôn"],
                now=now,
            )
            applicant_due = uow.session.scalar(
                select(SupplementRequest.applicant_due_at).where(
                    SupplementRequest.dossier_id == case.dossier_id,
                    SupplementRequest.state == "open",
                )
            )
        if case.story.pause_answered:
            self.plan(self._after(now, case.rng.uniform(4, 40)), "resume", case, task_id)
        elif applicant_due is not None:
            self.plan(applicant_due + timedelta(hours=2), "expire", case, task_id)

    def _resume(self, case: _Case, now: datetime, task_id: int) -> None:
        actor = self._reception(case)
        with self.new_uow() as uow:
            supplements.record_supplement(
                uow, actor, case.dossier_id, note="Công dân đã nộp bổ sung", data={}, now=now
            )
        case.paused = False
        _, working = step_hours(case.rng, "", case.story)
        self.plan(self._after(now, working), "complete", case, task_id)

    def _expire(self, case: _Case, now: datetime, _: int) -> None:
        """What the background sweep does when the applicant's time is up."""
        with self.new_uow() as uow:
            supplements.expire(uow, dossier_id=case.dossier_id, now=now)
        case.ended = True

    def _refuse(self, case: _Case, now: datetime, _: int) -> None:
        self._end(case, now, endings.refuse, "Hồ sơ không thuộc đối tượng giải quyết của thủ tục")

    def _withdraw(self, case: _Case, now: datetime, _: int) -> None:
        self._end(case, now, endings.withdraw, "Công dân đề nghị rút hồ sơ")

    def _end(self, case: _Case, now: datetime, command: Any, reason: str) -> None:
        if case.paused or not self._open(case.dossier_id):
            return
        with self.new_uow() as uow:
            command(uow, self._reception(case), case.dossier_id, reason=reason, now=now)
        case.ended = True

    # --- what follows -----------------------------------------------------------------------

    def _follow(self, case: _Case, now: datetime) -> None:
        """Plan a claim for each task the last command opened, after its queue wait."""
        with self.new_uow() as uow:
            status = uow.session.scalar(select(Dossier.status).where(Dossier.id == case.dossier_id))
            rows = uow.session.execute(
                select(Task.id, Task.element_id, Task.role, Task.unit_id, Task.form)
                .where(Task.dossier_id == case.dossier_id, Task.state == "open")
                .order_by(Task.id)
            ).all()
        if status not in OPEN:
            case.ended = True
            return
        for task_id, element_id, role, unit_id, form in rows:
            if task_id in case.tasks:
                continue
            case.tasks[task_id] = _OpenStep(element_id, role, unit_id, form)
            waiting, _ = step_hours(case.rng, element_id, case.story)
            self.plan(self._after(now, waiting), "claim", case, task_id)

    def _pauses_here(self, case: _Case, element_id: str) -> bool:
        where = {"social_allowance": "process_dossier", "newborn_bundle": "register_residence"}
        return (
            case.story.pause and not case.paused and where.get(case.story.procedure) == element_id
        )

    # --- small reads ------------------------------------------------------------------------

    def _open(self, dossier_id: int) -> bool:
        with self.new_uow() as uow:
            status = uow.session.scalar(select(Dossier.status).where(Dossier.id == dossier_id))
        return status in OPEN

    def _actor(self, step: _OpenStep) -> Actor:
        return self.cast.actors[step.role, step.unit_id]

    def _reception(self, case: _Case) -> Actor:
        return self.cast.actors["reception", self.cast.units[case.story.receiving][0]]

    @staticmethod
    def _after(moment: datetime, hours: float) -> datetime:
        """`hours` of office time later: work happens in office hours on working days."""
        return calendar.due_in_hours(moment, hours).astimezone(UTC)
