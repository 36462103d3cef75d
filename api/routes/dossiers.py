from __future__ import annotations

from typing import Any

from flask import current_app
from flask.views import MethodView

from api.audit_trail import record_read
from api.auth import current_actor
from api.config import office_rules
from api.database import new_uow
from api.database import read_session
from api.routes import Blueprint
from api.schemas.base import page_body
from api.schemas.base import page_bounds
from api.schemas.dossier_list import DossierQuery
from api.schemas.lifecycle import ApologyIn
from api.schemas.lifecycle import FeeIn
from api.schemas.lifecycle import FeeRequestIn
from api.schemas.lifecycle import ImportIn
from api.schemas.lifecycle import ReasonIn
from api.schemas.lifecycle import ReturnIn
from api.schemas.lifecycle import SupplementIn
from api.schemas.lifecycle import SupplementRequestIn
from api.schemas.work import DossierIn
from api.schemas.work import DossierOut
from api.schemas.work import DossierPageOut
from engine.dossiers import apologies
from engine.dossiers import delivery
from engine.dossiers import endings
from engine.dossiers import payments
from engine.dossiers import supplements
from engine.dossiers.imports import ImportRequest
from engine.dossiers.imports import import_dossier
from engine.dossiers.receive import Submission
from engine.people import audit
from engine.queries.dossier_list import DossierFilters
from engine.queries.dossier_list import list_dossiers
from engine.queries.dossiers import get_dossier
from engine.work.incident_commands import submit_dossier

blp = Blueprint("dossiers", __name__, url_prefix="/api/v1/dossiers", description="Hồ sơ (dossiers)")


@blp.route("")
class Dossiers(MethodView):
    @blp.arguments(DossierIn)
    @blp.response(201, DossierOut)
    @blp.alt_response(403, description="reception staff only")
    @blp.alt_response(404, description="no such procedure")
    def post(self, args: dict[str, Any]) -> Any:
        """Receive a dossier: returns its code, lookup key and first tasks"""
        return submit_dossier(new_uow, current_actor(), Submission(**args))

    @blp.arguments(DossierQuery, location="query")
    @blp.response(200, DossierPageOut)
    @blp.alt_response(403, description="a unit whose dossiers the user does not see")
    @blp.alt_response(
        422, description="unknown filter value or sort key, unknown unit or procedure, bad dates"
    )
    def get(self, args: dict[str, Any]) -> Any:
        """Search and filter the dossiers of the user's units, finished ones too; newest first
        unless sorted otherwise"""
        offset, limit = page_bounds(args)
        sort = args.pop("sort")
        filters = DossierFilters(**{k: v for k, v in args.items() if k not in ("page", "per_page")})
        with read_session() as session:
            page = list_dossiers(
                session, current_actor(), filters, sort=sort, offset=offset, limit=limit
            )
        return page_body(page, args)


@blp.route("/import")
class DossierImports(MethodView):
    @blp.arguments(ImportIn)
    @blp.response(201, DossierOut)
    @blp.alt_response(200, schema=DossierOut, description="this key was imported before")
    @blp.alt_response(403, description="reception staff only")
    @blp.alt_response(409, description="the key was used for another external dossier")
    def post(self, args: dict[str, Any]) -> Any:
        """Import a dossier submitted on another portal; the same idempotency key gives the same
        dossier"""
        head = {key: args.pop(key) for key in ("idempotency_key", "source_system", "external_code")}
        submitted_at = args.pop("submitted_at", None)
        request = ImportRequest(**head, submission=Submission(**args), submitted_at=submitted_at)
        with new_uow() as uow:
            result = import_dossier(uow, current_actor(), request)
        return result.dossier, 201 if result.created else 200


@blp.route("/<int:dossier_id>")
class DossierItem(MethodView):
    @blp.response(200, DossierOut)
    @blp.alt_response(403, description="dossier of another unit")
    @blp.alt_response(404, description="no such dossier")
    def get(self, dossier_id: int) -> Any:
        """Read a dossier with its open tasks and full history (the read is audited)"""
        with read_session() as session:
            dossier = get_dossier(session, current_actor(), dossier_id)
        record_read(audit.DOSSIER_VIEWED, dossier_id=dossier_id)
        return dossier


@blp.route("/<int:dossier_id>/supplement-request")
class SupplementRequest(MethodView):
    @blp.arguments(SupplementRequestIn)
    @blp.response(200, DossierOut)
    @blp.alt_response(403, description="not reception nor holding a task of the dossier")
    @blp.alt_response(
        409,
        description="the dossier's status does not allow it, or it was asked as often as "
        "MAX_SUPPLEMENT_REQUESTS allows",
    )
    def post(self, args: dict[str, Any], dossier_id: int) -> Any:
        """Ask the applicant for missing papers (form 02); the deadline pauses"""
        rules = office_rules(current_app.config)
        with new_uow() as uow:
            return supplements.request_supplement(
                uow, current_actor(), dossier_id, rules=rules, **args
            )


@blp.route("/<int:dossier_id>/supplement")
class Supplement(MethodView):
    @blp.arguments(SupplementIn)
    @blp.response(200, DossierOut)
    @blp.alt_response(403, description="not reception nor holding a task of the dossier")
    @blp.alt_response(409, description="the dossier is not waiting for a supplement")
    def post(self, args: dict[str, Any], dossier_id: int) -> Any:
        """Record the applicant's supplement; the dossier resumes, its due date moved"""
        with new_uow() as uow:
            return supplements.record_supplement(uow, current_actor(), dossier_id, **args)


@blp.route("/<int:dossier_id>/refuse")
class Refusal(MethodView):
    @blp.arguments(ReasonIn)
    @blp.response(200, DossierOut)
    @blp.alt_response(403, description="not staff of the dossier")
    @blp.alt_response(409, description="the dossier's status does not allow it")
    def post(self, args: dict[str, Any], dossier_id: int) -> Any:
        """Refuse the dossier with reasons (form 03); its open tasks are cancelled"""
        with new_uow() as uow:
            return endings.refuse(uow, current_actor(), dossier_id, **args)


@blp.route("/<int:dossier_id>/withdraw")
class Withdrawal(MethodView):
    @blp.arguments(ReasonIn)
    @blp.response(200, DossierOut)
    @blp.alt_response(403, description="not reception or leader of the dossier")
    @blp.alt_response(409, description="the dossier's status does not allow it")
    def post(self, args: dict[str, Any], dossier_id: int) -> Any:
        """Record the applicant's withdrawal; its open tasks are cancelled"""
        with new_uow() as uow:
            return endings.withdraw(uow, current_actor(), dossier_id, **args)


@blp.route("/<int:dossier_id>/stop")
class Stop(MethodView):
    @blp.arguments(ReasonIn)
    @blp.response(200, DossierOut)
    @blp.alt_response(403, description="not staff of the dossier")
    @blp.alt_response(409, description="the dossier's status does not allow it")
    def post(self, args: dict[str, Any], dossier_id: int) -> Any:
        """Stop processing the dossier; its open tasks are cancelled"""
        with new_uow() as uow:
            return endings.stop(uow, current_actor(), dossier_id, **args)


@blp.route("/<int:dossier_id>/apology")
class Apology(MethodView):
    @blp.arguments(ApologyIn)
    @blp.response(200, DossierOut)
    @blp.alt_response(403, description="not staff of the dossier")
    @blp.alt_response(
        409,
        description="status does not allow it, no apology left, or too close to the due time "
        "(APOLOGY_WORKING_DAYS_BEFORE_DUE)",
    )
    def post(self, args: dict[str, Any], dossier_id: int) -> Any:
        """Apologise and set a new return date (form 04)"""
        rules = office_rules(current_app.config)
        with new_uow() as uow:
            return apologies.issue_apology(uow, current_actor(), dossier_id, rules=rules, **args)


@blp.route("/<int:dossier_id>/return")
class ResultReturn(MethodView):
    @blp.arguments(ReturnIn)
    @blp.response(200, DossierOut)
    @blp.alt_response(403, description="reception staff of the dossier only")
    @blp.alt_response(409, description="the dossier is not processed")
    def post(self, args: dict[str, Any], dossier_id: int) -> Any:
        """Hand over the result of a processed dossier: in person, by post, or electronically"""
        with new_uow() as uow:
            return delivery.return_result(uow, current_actor(), dossier_id, **args)


@blp.route("/<int:dossier_id>/fee-request")
class FeeRequest(MethodView):
    @blp.arguments(FeeRequestIn)
    @blp.response(200, DossierOut)
    @blp.alt_response(403, description="not reception nor holding a task of the dossier")
    @blp.alt_response(409, description="no unpaid fee, or the status does not allow it")
    def post(self, args: dict[str, Any], dossier_id: int) -> Any:
        """Ask the applicant to pay the fee first (status 6); the deadline pauses until paid"""
        with new_uow() as uow:
            return payments.request_fee(uow, current_actor(), dossier_id, **args)


@blp.route("/<int:dossier_id>/fee")
class Fee(MethodView):
    @blp.arguments(FeeIn)
    @blp.response(200, DossierOut)
    @blp.alt_response(403, description="reception staff of the dossier only")
    @blp.alt_response(409, description="no fee due, or the dossier is closed")
    def post(self, args: dict[str, Any], dossier_id: int) -> Any:
        """Record the fee as paid (with its receipt number) or unpaid"""
        with new_uow() as uow:
            return payments.record_fee(uow, current_actor(), dossier_id, **args)
