from __future__ import annotations

from typing import Any

from flask.views import MethodView

from api.auth import current_actor
from api.database import read_session
from api.routes import Blueprint
from api.schemas.audit import AuditPageOut
from api.schemas.audit import AuditQuery
from api.schemas.base import page_body
from api.schemas.base import page_bounds
from engine.queries.audit import AuditFilter
from engine.queries.audit import list_entries

blp = Blueprint("audit", __name__, url_prefix="/api/v1/audit", description="Nhật ký (audit log)")


@blp.route("")
class AuditLog(MethodView):
    @blp.arguments(AuditQuery, location="query")
    @blp.response(200, AuditPageOut)
    @blp.alt_response(403, description="administrators only")
    def get(self, args: dict[str, Any]) -> Any:
        """List logins, logouts and reads of dossiers by staff, newest first (administrators)"""
        offset, limit = page_bounds(args)
        where = AuditFilter(
            username=args.get("user"),
            dossier_id=args.get("dossier"),
            action=args.get("action"),
            since=args.get("since"),
            until=args.get("until"),
        )
        with read_session() as session:
            page = list_entries(session, current_actor(), where, offset=offset, limit=limit)
        return page_body(page, args)
