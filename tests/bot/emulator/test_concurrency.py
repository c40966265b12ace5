"""Many clients at once still see one consistent GitHub: unique numbers, every event sent."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

import httpx

from bot.emulator.testing import EmulatorHandle


def test_parallel_creates_get_unique_numbers_and_one_event_each(emulator: EmulatorHandle) -> None:
    def open_issue(n: int) -> int:
        with httpx.Client(
            base_url=emulator.api_url, headers={"Authorization": "token ghp_writer_token"}
        ) as client:
            answer = client.post("/repos/acme/widgets/issues", json={"title": f"parallel {n}"})
            assert answer.status_code == 201
            return int(answer.json()["number"])

    with ThreadPoolExecutor(max_workers=8) as pool:
        numbers = list(pool.map(open_issue, range(24)))

    assert sorted(numbers) == list(range(1, 25))
    emulator.wait_for_delivery("issues", "opened", lambda d: d.payload["issue"]["number"] == 24)
    opened = [d.payload["issue"]["number"] for d in emulator.deliveries()]
    assert sorted(opened) == list(range(1, 25))
