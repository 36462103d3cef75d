"""Two designers saving the same draft at the same moment from the same base: one save lands,
the other is a 409, never a lost update or a 500 (also when neither had a draft to start from)."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from threading import Barrier
from typing import Any

import pytest

from tests.api.test_studio_drafts import newborn  # noqa: F401 - the fixture the tests ask for
from tests.api.test_studio_drafts import renamed
from tests.api.test_studio_drafts import saved

ROUNDS = 5


@pytest.mark.committed
@pytest.mark.parametrize("first_save", [True, False], ids=["new_draft", "existing_draft"])
def test_two_saves_from_the_same_base_give_one_200_and_one_409(
    app,
    desk,
    newborn,  # noqa: F811
    first_save,
):
    for round_ in range(ROUNDS):
        code = f"song_song_{round_}"
        body = {**newborn, "metadata": {**newborn["metadata"], "code": code}}
        base = None if first_save else saved(desk, code, body)
        barrier = Barrier(2)

        def save(
            username: str,
            body: dict[str, Any] = body,
            barrier: Barrier = barrier,
            code: str = code,
            base: str | None = base,
        ) -> Any:
            mine = renamed(body, 'name="Trả kết quả"', f'name="Trả kết quả ({username})"')
            client = app.test_client()
            headers = desk.headers(username)
            barrier.wait()
            response = client.put(
                f"/api/v1/procedures/{code}/draft",
                json={**mine, "base_hash": base},
                headers=headers,
            )
            return response.status_code, mine["files"]

        with ThreadPoolExecutor(2) as pool:
            answers = [pool.submit(save, name).result for name in ("thietke", "admin")]
            results = [answer() for answer in answers]

        assert sorted(status for status, _ in results) == [200, 409], results
        [winner] = [files for status, files in results if status == 200]
        assert desk.get(f"/api/v1/procedures/{code}/draft", by="thietke").json["files"] == winner
