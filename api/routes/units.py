from __future__ import annotations

from typing import Any

from flask.views import MethodView

from api.database import read_session
from api.routes import Blueprint
from api.schemas.catalogue import UnitOut
from engine.queries.units import list_units

blp = Blueprint("units", __name__, url_prefix="/api/v1", description="Đơn vị (units)")


@blp.route("/units")
class Units(MethodView):
    @blp.response(200, UnitOut(many=True))
    def get(self) -> Any:
        """List the province and its communes and wards"""
        with read_session() as session:
            return list_units(session)
