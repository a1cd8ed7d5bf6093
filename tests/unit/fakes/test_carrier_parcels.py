"""The fake carrier lists what was booked, so tests can count parcels per order."""

from __future__ import annotations

import httpx

from devtools.fakes.carrier import create_carrier_app


async def test_every_booking_is_listed_once_per_reference_and_filtered_by_order() -> None:
    transport = httpx.ASGITransport(app=create_carrier_app())
    async with httpx.AsyncClient(transport=transport, base_url="http://carrier") as carrier:
        for reference, order in (("s1", "o1"), ("s1", "o1"), ("s2", "o1"), ("s3", "o2")):
            booked = await carrier.post(
                "/v1/parcels", json={"reference": reference, "order_id": order}
            )
            assert booked.status_code == 201
        everything = (await carrier.get("/v1/parcels")).json()["parcels"]
        of_o1 = (await carrier.get("/v1/parcels", params={"order_id": "o1"})).json()["parcels"]

    assert sorted(p["reference"] for p in everything) == ["s1", "s2", "s3"]
    assert sorted(p["reference"] for p in of_o1) == ["s1", "s2"]
