from __future__ import annotations

from typing import Any

from flask.views import MethodView

from api.auth import current_actor
from api.database import new_uow
from api.database import read_session
from api.routes import Blueprint
from api.schemas.base import page_body
from api.schemas.base import page_bounds
from api.schemas.work import DossierIn
from api.schemas.work import DossierOut
from api.schemas.work import DossierPageOut
from api.schemas.work import DossierQuery
from engine.dossiers import Submission
from engine.dossiers import submit
from engine.queries.dossiers import get_dossier
from engine.queries.dossiers import list_dossiers

blp = Blueprint("dossiers", __name__, url_prefix="/api/v1/dossiers", description="Hồ sơ (dossiers)")


@blp.route("")
class Dossiers(MethodView):
    @blp.arguments(DossierIn)
    @blp.response(201, DossierOut)
    @blp.alt_response(403, description="reception staff only")
    @blp.alt_response(404, description="no such procedure")
    def post(self, args: dict[str, Any]) -> Any:
        """Receive a dossier: returns its code and first tasks"""
        with new_uow() as uow:
            return submit(uow, current_actor(), Submission(**args))

    @blp.arguments(DossierQuery, location="query")
    @blp.response(200, DossierPageOut)
    def get(self, args: dict[str, Any]) -> Any:
        """List dossiers of the user's units, newest first"""
        offset, limit = page_bounds(args)
        with read_session() as session:
            page = list_dossiers(
                session, current_actor(), status=args.get("status"), offset=offset, limit=limit
            )
        return page_body(page, args)


@blp.route("/<int:dossier_id>")
class DossierItem(MethodView):
    @blp.response(200, DossierOut)
    @blp.alt_response(403, description="dossier of another unit")
    @blp.alt_response(404, description="no such dossier")
    def get(self, dossier_id: int) -> Any:
        """Read a dossier with its open tasks and full history"""
        with read_session() as session:
            return get_dossier(session, current_actor(), dossier_id)
