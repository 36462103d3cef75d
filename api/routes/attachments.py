from __future__ import annotations

from pathlib import Path
from typing import Any

from flask import current_app
from flask import request
from flask import send_file
from flask.views import MethodView

from api.audit_trail import record_read
from api.auth import current_actor
from api.database import new_uow
from api.database import read_session
from api.routes import Blueprint
from api.schemas.attachments import AttachmentForm
from api.schemas.attachments import AttachmentOut
from api.schemas.attachments import DownloadQuery
from engine.catalogue.attachments import Upload
from engine.catalogue.attachments import attach
from engine.people import audit
from engine.queries.attachments import list_attachments
from engine.queries.attachments import open_attachment

blp = Blueprint(
    "attachments", __name__, url_prefix="/api/v1", description="Giấy tờ đính kèm (attachments)"
)


def uploads_from_request(files_key: str = "files", labels_key: str = "labels") -> list[Upload]:
    """The uploaded files with their labels, pairing the n-th label with the n-th file."""
    files = [f for f in request.files.getlist(files_key) if f.filename]
    labels = request.form.getlist(labels_key)
    return [
        Upload(
            filename=f.filename or "",
            content=f.read(),
            label=labels[i] if i < len(labels) else "",
        )
        for i, f in enumerate(files)
    ]


def attachments_dir() -> Path:
    return Path(current_app.config["ATTACHMENTS_DIR"])


@blp.route("/dossiers/<int:dossier_id>/attachments")
class DossierAttachments(MethodView):
    @blp.arguments(AttachmentForm, location="files", as_kwargs=True)
    @blp.response(201, AttachmentOut(many=True))
    @blp.alt_response(403, description="dossier of another unit")
    @blp.alt_response(409, description="the dossier is closed")
    @blp.alt_response(413, description="the request is too large")
    @blp.alt_response(422, description="a file is empty, too large, or not PDF, JPEG or PNG")
    def post(self, dossier_id: int, **_documented: Any) -> Any:
        """Attach documents (PDF, JPEG, PNG) to a dossier"""
        with new_uow() as uow:
            return attach(
                uow,
                current_actor(),
                dossier_id,
                uploads=uploads_from_request(),
                folder=attachments_dir(),
                max_bytes=current_app.config["ATTACHMENT_MAX_BYTES"],
            )

    @blp.response(200, AttachmentOut(many=True))
    @blp.alt_response(403, description="dossier of another unit")
    @blp.alt_response(404, description="no such dossier")
    def get(self, dossier_id: int) -> Any:
        """List a dossier's documents"""
        with read_session() as session:
            found = list_attachments(session, current_actor(), dossier_id)
        record_read(audit.ATTACHMENTS_LISTED, dossier_id=dossier_id, target_type="attachments")
        return found


@blp.route("/attachments/<int:attachment_id>")
class AttachmentFile(MethodView):
    @blp.arguments(DownloadQuery, location="query")
    @blp.response(200, description="the file's bytes")
    @blp.alt_response(403, description="dossier of another unit")
    @blp.alt_response(404, description="no such attachment")
    def get(self, args: dict[str, Any], attachment_id: int) -> Any:
        """View or download one document"""
        with read_session() as session:
            view, path = open_attachment(
                session, current_actor(), attachment_id, folder=attachments_dir()
            )
        record_read(
            audit.ATTACHMENT_OPENED,
            dossier_id=view.dossier_id,
            target_type="attachment",
            target_id=attachment_id,
            detail=view.filename,
        )
        response = send_file(
            path,
            mimetype=view.content_type,
            as_attachment=args["download"],
            download_name=view.filename,
            etag=view.sha256,
        )
        response.headers["Cache-Control"] = "no-store"  # papers with personal data: never cached
        return response
