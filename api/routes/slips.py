from __future__ import annotations

from typing import Any

from flask.views import MethodView
from markupsafe import Markup

from api import printing
from api.audit_trail import record_read
from api.auth import current_actor
from api.database import read_session
from api.pages.tracking import tracking_url
from api.qr import qr_svg
from api.routes import Blueprint
from api.schemas.slips import PrintQuery
from api.schemas.slips import RegisterQuery
from engine.people import audit
from engine.queries.registers import unit_register
from engine.queries.slips import DossierSlip as Slip
from engine.queries.slips import congratulation_letter
from engine.queries.slips import dossier_slip

blp = Blueprint(
    "slips",
    __name__,
    url_prefix="/api/v1",
    description="Phiếu và sổ theo Thông tư 01/2018/TT-VPCP (printable slips and registers)",
)
printing.install(blp)

PRINTABLE = "Printable page (text/html); with format=pdf the same page as application/pdf"
PRINTABLE_CONTENT = {
    "responses": {
        "200": {
            "description": PRINTABLE,
            "content": {
                "text/html": {"schema": {"type": "string"}},
                "application/pdf": {"schema": {"type": "string", "format": "binary"}},
            },
        }
    }
}


@blp.route("/dossiers/<int:dossier_id>/slips/<form>")
class DossierSlip(MethodView):
    @blp.arguments(PrintQuery, location="query")
    @blp.response(200, content_type="text/html", description=PRINTABLE)
    @blp.doc(**PRINTABLE_CONTENT)
    @blp.alt_response(403, description="dossier of another unit")
    @blp.alt_response(404, description="no such dossier or form (01-06)")
    def get(self, args: dict[str, Any], dossier_id: int, form: str) -> Any:
        """Print form 01-06 of Circular 01/2018 for a dossier (A5; register line on A4)"""
        with read_session() as session:
            slip = dossier_slip(session, current_actor(), dossier_id=dossier_id, form=form)
        record_read(
            audit.SLIP_PRINTED,
            dossier_id=dossier_id,
            target_type="slip",
            detail=f"form {slip.form}, {args['format']}",
        )
        return printing.printable(
            f"slips/form_{slip.form}.html",
            filename=f"mau-{slip.form}-{slip.dossier.code}",
            as_pdf=args["format"] == "pdf",
            slip=slip,
            register=slip.register,
            tracking_qr=_tracking_qr(slip),
        )


def _tracking_qr(slip: Slip) -> Markup | None:
    """Form 01 carries a QR code that opens the citizens' tracking page for its dossier; a
    dossier without a lookup key cannot be tracked, so its receipt has none."""
    dossier = slip.dossier
    if slip.form != "01" or not dossier.lookup_key:
        return None
    return qr_svg(tracking_url(dossier.code, dossier.lookup_key))


@blp.route("/dossiers/<int:dossier_id>/letter")
class CongratulationLetter(MethodView):
    @blp.arguments(PrintQuery, location="query")
    @blp.response(200, content_type="text/html", description=PRINTABLE)
    @blp.doc(**PRINTABLE_CONTENT)
    @blp.alt_response(403, description="dossier of another unit")
    @blp.alt_response(404, description="no such dossier, or not a newborn bundle dossier")
    def get(self, args: dict[str, Any], dossier_id: int) -> Any:
        """Print the commune's congratulatory letter for a newborn bundle dossier"""
        with read_session() as session:
            letter = congratulation_letter(session, current_actor(), dossier_id=dossier_id)
        record_read(
            audit.SLIP_PRINTED,
            dossier_id=dossier_id,
            target_type="slip",
            detail=f"letter, {args['format']}",
        )
        return printing.printable(
            "slips/letter.html",
            filename=f"thu-chuc-mung-{letter.dossier.code}",
            as_pdf=args["format"] == "pdf",
            letter=letter,
        )


@blp.route("/registers/06")
class DossierRegister(MethodView):
    @blp.arguments(RegisterQuery, location="query")
    @blp.response(200, content_type="text/html", description=PRINTABLE)
    @blp.doc(**PRINTABLE_CONTENT)
    @blp.alt_response(403, description="register of another unit")
    @blp.alt_response(422, description="unknown unit, or a period reversed or over a year")
    def get(self, args: dict[str, Any]) -> Any:
        """Print a unit's dossier register (form 06, A4) for a period"""
        with read_session() as session:
            register = unit_register(
                session,
                current_actor(),
                unit_code=args["unit"],
                date_from=args["date_from"],
                date_to=args["date_to"],
            )
        return printing.printable(
            "slips/form_06.html",
            filename=f"mau-06-{register.unit.code}-{register.date_from:%Y%m%d}-{register.date_to:%Y%m%d}",
            as_pdf=args["format"] == "pdf",
            register=register,
            slip=None,
        )
