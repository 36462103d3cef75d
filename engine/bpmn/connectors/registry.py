"""The one place an operator name meets its connector class, and the settings they run with."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from engine.bpmn.connectors.base import Connector
from engine.bpmn.connectors.base import ConnectorFailed
from engine.bpmn.connectors.base import ConnectorSettings
from engine.bpmn.connectors.population import PopulationLookup
from engine.bpmn.connectors.web import HttpGet
from engine.bpmn.connectors.web import HttpPost

OPERATORS: dict[str, type[Connector]] = {
    "http/get": HttpGet,
    "http/post": HttpPost,
    "population/lookup": PopulationLookup,
}


class _Configured:
    """The deployment's settings: one script engine serves every instance of the process."""

    settings = ConnectorSettings()


def configure(settings: ConnectorSettings) -> None:
    """Called by the application factory with the deployment's settings."""
    _Configured.settings = settings


def call(operator: str, params: dict[str, Any]) -> Any:
    """Run the operator with the service task's evaluated parameters; its JSON answer."""
    connector = OPERATORS.get(operator)
    if connector is None:
        raise ConnectorFailed(
            "thao tác không tồn tại", f"unknown operator; known: {', '.join(sorted(OPERATORS))}"
        )
    missing = [name for name in connector.required if params.get(name) in (None, "")]
    if missing:
        raise ConnectorFailed(
            f"thiếu tham số {', '.join(missing)}", f"missing parameters: {', '.join(missing)}"
        )
    return connector(_Configured.settings).call(params)


def refusals(operator: str, param_names: Iterable[str]) -> list[str]:
    """Why a service task naming this operator with these parameters could not run: what
    publication refuses, in Vietnamese then English."""
    connector = OPERATORS.get(operator)
    if connector is None:
        known = ", ".join(sorted(OPERATORS))
        return [
            f"Thao tác '{operator}' không có trong danh sách kết nối; dùng: {known} "
            "(unknown service task operator)."
        ]
    names = list(param_names)
    taken = (*connector.required, *connector.optional)
    found = []
    for listed, vietnamese, english in (
        ([name for name in connector.required if name not in names], "thiếu tham số", "missing"),
        ([name for name in names if name not in taken], "không nhận tham số", "unknown"),
    ):
        if listed:
            text = ", ".join(listed)
            found.append(
                f"Thao tác '{operator}': {vietnamese} {text} ({english} parameters: {text})."
            )
    return found
