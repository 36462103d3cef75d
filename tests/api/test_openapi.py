"""The API describes itself: the OpenAPI document and its browsable page need no login."""

from __future__ import annotations

CONTRACT = {
    "/api/v1/auth/login": {"post"},
    "/api/v1/procedures": {"get", "post"},
    "/api/v1/procedures/validate": {"post"},
    "/api/v1/procedures/{code}": {"get"},
    "/api/v1/dossiers": {"get", "post"},
    "/api/v1/dossiers/{dossier_id}": {"get"},
    "/api/v1/tasks": {"get"},
    "/api/v1/tasks/{task_id}/claim": {"post"},
    "/api/v1/tasks/{task_id}/complete": {"post"},
    "/api/v1/units": {"get"},
    "/api/v1/users": {"post"},
}


def test_the_openapi_document_is_public_and_lists_the_contract(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    document = response.json
    assert document["openapi"].startswith("3.")
    assert document["info"]["title"] == "Một Cửa API"
    paths = document["paths"]
    for path, methods in CONTRACT.items():
        assert path in paths, path
        assert methods <= set(paths[path]), path
    publish = paths["/api/v1/procedures"]["post"]
    assert "multipart/form-data" in publish["requestBody"]["content"]
    assert {"201", "400", "422"} <= set(publish["responses"])
    task_query = {p["name"] for p in paths["/api/v1/tasks"]["get"]["parameters"]}
    assert {"scope", "dossier_id", "page", "per_page"} <= task_query


def test_the_docs_page_is_served_without_login(client):
    response = client.get("/api/v1/docs")
    assert response.status_code == 200
    assert response.content_type.startswith("text/html")
    assert "openapi.json" in response.get_data(as_text=True)
