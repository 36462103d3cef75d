"""`population/lookup`: the interface to the national population database (Cơ sở dữ liệu quốc
gia về dân cư). It POSTs `{"id_number", "full_name"?, "birth_date"?}` as JSON to the endpoint
the deployment configures (POPULATION_API_URL, with POPULATION_API_TOKEN as a bearer token when
set) and puts the JSON answer in the result variable. That endpoint's host needs no allowlist
entry: configuring it is the permission."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from engine.bpmn.connectors.base import Connector
from engine.bpmn.connectors.base import ConnectorFailed
from engine.bpmn.connectors.web import request_json


class PopulationLookup(Connector):
    required = ("id_number",)
    optional = ("full_name", "birth_date")

    def call(self, params: dict[str, Any]) -> Any:
        url = self.settings.population_url
        if not url:
            raise ConnectorFailed(
                "chưa cấu hình địa chỉ Cơ sở dữ liệu quốc gia về dân cư",
                "the national population database is not configured: set POPULATION_API_URL",
            )
        parts = urlsplit(url)
        port = parts.port or (443 if parts.scheme == "https" else 80)
        headers = {}
        if self.settings.population_token:
            headers["Authorization"] = f"Bearer {self.settings.population_token}"
        body = {name: params[name] for name in (*self.required, *self.optional) if name in params}
        return request_json(
            self.settings,
            "POST",
            url,
            allowed_hosts=frozenset({f"{parts.hostname}:{port}"}),
            body=body,
            headers=headers,
        )
