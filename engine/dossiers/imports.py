"""Dossiers submitted on another portal, taken in through the API: one idempotency key, one dossier,
however often (or however concurrently) the other system retries."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from engine.access.actors import Actor
from engine.access.actors import require_role_anywhere
from engine.access.visibility import require_visible
from engine.dossiers.receive import Submission
from engine.dossiers.receive import check_submission
from engine.dossiers.receive import receive
from engine.errors import Conflict
from engine.models import Dossier
from engine.models import DossierImport
from engine.queries.dossiers import dossier_view
from engine.store.db import utcnow
from engine.store.uow import UnitOfWork
from engine.views import DossierView


@dataclass(frozen=True)
class ImportRequest:
    idempotency_key: str
    source_system: str
    external_code: str
    submission: Submission
    submitted_at: datetime | None = None


@dataclass(frozen=True)
class ImportResult:
    dossier: DossierView
    created: bool


def import_dossier(uow: UnitOfWork, actor: Actor, request: ImportRequest) -> ImportResult:
    """Receive the dossier unless this key was seen; a concurrent twin loses on the unique key
    and answers with the winner's dossier. Only reception staff import, and a replay answers only
    someone who may see the dossier: a known key never hands the applicant's data to anyone."""
    check_submission(request.submission)
    require_role_anywhere(actor, "reception")
    uow.begin_write()
    existing = _existing(uow, actor, request)
    if existing is not None:
        return ImportResult(existing, created=False)
    try:
        dossier = _receive(uow, actor, request)
    except IntegrityError:
        uow.session.rollback()
        existing = _existing(uow, actor, request)
        if existing is None:
            raise
        return ImportResult(existing, created=False)
    return ImportResult(dossier_view(uow.session, dossier, with_history=False), created=True)


def _receive(uow: UnitOfWork, actor: Actor, request: ImportRequest) -> Dossier:
    session = uow.session
    now = utcnow()
    dossier = receive(
        uow,
        actor,
        request.submission,
        now=now,
        extra_event_detail={
            "source_system": request.source_system,
            "external_code": request.external_code,
        },
    )
    session.add(
        DossierImport(
            idempotency_key=request.idempotency_key,
            source_system=request.source_system,
            external_code=request.external_code,
            dossier_id=dossier.id,
            submitted_at=request.submitted_at,
            imported_at=now,
            imported_by=actor.user_id,
        )
    )
    session.flush()
    uow.commit()
    return dossier


def _existing(uow: UnitOfWork, actor: Actor, request: ImportRequest) -> DossierView | None:
    session = uow.session
    row = session.execute(
        select(DossierImport, Dossier)
        .join(Dossier, Dossier.id == DossierImport.dossier_id)
        .where(DossierImport.idempotency_key == request.idempotency_key)
    ).one_or_none()
    if row is None:
        return None
    imported, dossier = row
    if (imported.source_system, imported.external_code) != (
        request.source_system,
        request.external_code,
    ):
        raise Conflict(
            "this idempotency key was used for another external dossier",
            idempotency_key=request.idempotency_key,
        )
    require_visible(session, actor, dossier)
    return dossier_view(session, dossier, with_history=False)
