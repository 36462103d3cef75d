from __future__ import annotations

from typing import Any

from flask.views import MethodView

from api.auth import current_actor
from api.database import new_uow
from api.database import read_session
from api.routes import Blueprint
from api.schemas.background import WebhookCreatedOut
from api.schemas.background import WebhookDeliveryPageOut
from api.schemas.background import WebhookDeliveryQuery
from api.schemas.background import WebhookIn
from api.schemas.background import WebhookOut
from api.schemas.base import page_body
from api.schemas.base import page_bounds
from engine.background import webhooks
from engine.queries.webhooks import list_deliveries
from engine.queries.webhooks import list_subscriptions

blp = Blueprint(
    "webhooks",
    __name__,
    url_prefix="/api/v1/webhooks",
    description="Liên thông: webhook báo thay đổi trạng thái hồ sơ (status-change webhooks)",
)


@blp.route("")
class Webhooks(MethodView):
    @blp.arguments(WebhookIn)
    @blp.response(201, WebhookCreatedOut)
    @blp.alt_response(403, description="administrators only")
    @blp.alt_response(422, description="not an http(s) URL, or a secret too short")
    def post(self, args: dict[str, Any]) -> Any:
        """Subscribe a URL to every dossier status change (signed POSTs)"""
        with new_uow() as uow:
            return webhooks.create_subscription(uow, current_actor(), **args)

    @blp.response(200, WebhookOut(many=True))
    @blp.alt_response(403, description="administrators only")
    def get(self) -> Any:
        """List webhook subscriptions (secrets are never listed)"""
        with read_session() as session:
            return list_subscriptions(session, current_actor())


@blp.route("/<int:subscription_id>")
class WebhookItem(MethodView):
    @blp.response(204)
    @blp.alt_response(403, description="administrators only")
    @blp.alt_response(404, description="no such subscription")
    def delete(self, subscription_id: int) -> None:
        """Stop a subscription; pending deliveries are cancelled, the log stays"""
        with new_uow() as uow:
            webhooks.remove_subscription(uow, current_actor(), subscription_id)


@blp.route("/<int:subscription_id>/deliveries")
class Deliveries(MethodView):
    @blp.arguments(WebhookDeliveryQuery, location="query")
    @blp.response(200, WebhookDeliveryPageOut)
    @blp.alt_response(403, description="administrators only")
    @blp.alt_response(404, description="no such subscription")
    def get(self, args: dict[str, Any], subscription_id: int) -> Any:
        """Delivery log of a subscription, newest first: status, attempts, last response"""
        offset, limit = page_bounds(args)
        with read_session() as session:
            page = list_deliveries(
                session, current_actor(), subscription_id, offset=offset, limit=limit
            )
        return page_body(page, args)
