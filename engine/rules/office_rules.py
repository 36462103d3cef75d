"""Rules of the one-stop decrees that the domain reference marks unconfirmed
(../shared/reference/domain.md, "Supplement" and "Late dossiers / apology"). Each is a
setting, so a province applies the text it is bound by. The defaults follow Decree 61/2018 as
amended by Decree 107/2021, except where a default would hurt the citizen (below). The web
layer reads them from its configuration (api.config: MAX_APOLOGIES, MAX_SUPPLEMENT_REQUESTS,
APOLOGY_WORKING_DAYS_BEFORE_DUE)."""

from __future__ import annotations

from dataclasses import dataclass

DEFAULT_SUPPLEMENT_DAYS = 7
"""Working days an applicant has to supplement (Decree 63/2024 flows) unless a procedure says."""


@dataclass(frozen=True)
class OfficeRules:
    max_apologies: int = 1
    """Apology letters (form 04) per dossier: "the new appointment may be made only once"."""
    max_supplement_requests: int = 1
    """Supplement requests (form 02) per dossier: Decree 61 forbids asking more than once.
    0: no limit."""
    apology_working_days_before_due: int = 0
    """An apology must go out at least this many working days before the due time: Decree 61
    says 1. 0, the default, does not check it: refusing a late apology would leave the
    citizen without a new date, so a province turns it on only if it must."""


DEFAULT_RULES = OfficeRules()
