from __future__ import annotations

from typing import Any

from flask.views import MethodView

from api.audit_trail import record_read
from api.auth import current_actor
from api.database import read_session
from api.routes import Blueprint
from api.schemas.background import NoticeListOut
from engine.people import audit
from engine.queries.notices import dossier_notices

blp = Blueprint(
    "notices",
    __name__,
    url_prefix="/api/v1/dossiers",
    description="Thông báo gửi công dân (notices to applicants)",
)


@blp.route("/<int:dossier_id>/notices")
class DossierNotices(MethodView):
    @blp.response(200, NoticeListOut)
    @blp.alt_response(403, description="dossier of another unit")
    @blp.alt_response(404, description="no such dossier")
    def get(self, dossier_id: int) -> Any:
        """Notices sent to the applicant about this dossier (e-mail, SMS, Zalo), oldest first"""
        with read_session() as session:
            items = dossier_notices(session, current_actor(), dossier_id)
        record_read(audit.NOTICES_LISTED, dossier_id=dossier_id)
        return {"items": items}
