"""Messages from other agencies' systems to the dossiers waiting for them."""

from __future__ import annotations

from typing import Any

from flask.views import MethodView

from api.auth import current_actor
from api.database import new_uow
from api.routes import Blueprint
from api.schemas.messages import MessageIn
from api.schemas.messages import MessageOut
from engine.work.messages import Message
from engine.work.messages import deliver

blp = Blueprint(
    "messages",
    __name__,
    url_prefix="/api/v1/messages",
    description="Thông điệp từ hệ thống khác (messages from other systems)",
)


@blp.route("")
class Messages(MethodView):
    @blp.arguments(MessageIn)
    @blp.response(200, MessageOut)
    @blp.alt_response(403, description="not an external system's account")
    @blp.alt_response(404, description="no dossier waits for this message with this correlation")
    @blp.alt_response(
        409, description="message_id already used for another message, or no dossier could take it"
    )
    def post(self, args: dict[str, Any]) -> Any:
        """Deliver a message to the dossiers waiting for it (idempotent by message_id)"""
        return deliver(new_uow, current_actor(), Message(**args))
