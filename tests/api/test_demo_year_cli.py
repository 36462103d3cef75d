"""`flask demo-year` from the command line: what `make run` calls on a fresh database."""

from __future__ import annotations

from collections.abc import Callable

from flask import Flask
from flask.testing import FlaskClient


def test_demo_year_loads_once_and_refuses_real_data(app: Flask) -> None:
    runner = app.test_cli_runner()
    loaded = runner.invoke(
        args=["demo-year", "--dossiers", "8", "--seed", "2", "--until", "2026-03-02", "--if-empty"]
    )
    assert loaded.exit_code == 0, loaded.output
    assert "8/8 dossiers received" in loaded.output and "result_returned" in loaded.output

    again = runner.invoke(args=["demo-year", "--dossiers", "8", "--if-empty"])
    assert again.exit_code == 0 and "skipped, the database already holds 8 dossiers" in again.output


def test_demo_year_refuses_a_database_with_real_dossiers(
    app: Flask, client: FlaskClient, login: Callable[..., dict[str, str]]
) -> None:
    made = client.post(
        "/api/v1/dossiers",
        json={
            "procedure_code": "social_allowance",
            "applicant": {"full_name": "Lê Văn Thật", "id_number": "001099012345"},
            "channel": "in_person",
        },
        headers=login("tiepnhan1"),
    )
    assert made.status_code == 201, made.json
    refused = app.test_cli_runner().invoke(args=["demo-year", "--dossiers", "3"])
    assert refused.exit_code != 0
    assert "1 dossiers the demo did not write" in refused.output
