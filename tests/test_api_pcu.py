"""The pure layer of PCU groups, snapshots and clones: each request builder's method, path,
body and expected statuses; bad input refused before anything is sent; answers read
tolerantly (a ``null`` list is no groups, as astrapy reads it)."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest

from bot.astra.http import ApiRequest, ApiResponse, clone, pcu
from bot.errors import AstraBadRequest, AstraNotFound, AstraUnreadable

DB = "3f1c1c2a-5b7e-4c1d-9a3e-0d5f3b1e2a10"
DC = f"{DB}-1"
GROUP = "9aaddbb5-4622-447c-9bc5-b036bb9d7ed8"
OTHER = "0b7c2f3e-1111-4a2b-8c3d-4e5f6a7b8c9d"


def pcu_requests(db: str, dc: str) -> list[ApiRequest]:
    """One request of every operation of this layer (tests/test_metrics.py counts them)."""
    return [
        pcu.list_pcu_groups(),
        pcu.list_pcu_types("aws", "us-east-2"),
        pcu.get_datacenter_pcu_group(dc),
        pcu.create_pcu_group("orders", "aws", "us-east-2"),
        pcu.update_pcu_group(GROUP, max_pcus=4),
        pcu.delete_pcu_group(GROUP),
        pcu.park_pcu_group(GROUP),
        pcu.unpark_pcu_group(GROUP),
        pcu.list_pcu_associations(GROUP),
        pcu.associate_pcu_datacenter(GROUP, dc),
        pcu.dissociate_pcu_datacenter(GROUP, dc),
        pcu.transfer_pcu_association(GROUP, OTHER, dc),
        clone.list_snapshots(db),
        clone.clone_database(db, "src-db", "snap-1"),
        clone.clone_status(db, "op-1"),
    ]


def test_pcu_requests_are_the_documents() -> None:
    table = {
        (r.method, r.path, tuple(sorted(r.expect)))
        for r in pcu_requests(DB, DC)
        if r.path.startswith("/v2/pcus")
    }
    assert table == {
        ("POST", "/v2/pcus/actions/get", (200,)),
        ("POST", "/v2/pcus/types", (200,)),
        ("GET", f"/v2/pcus/actions/get/{DC}", (200,)),
        ("POST", "/v2/pcus", (201,)),
        ("PUT", "/v2/pcus", (200,)),
        ("DELETE", f"/v2/pcus/{GROUP}", (200,)),
        ("POST", f"/v2/pcus/park/{GROUP}", (200,)),
        ("POST", f"/v2/pcus/unpark/{GROUP}", (200,)),
        ("GET", f"/v2/pcus/association/{GROUP}", (200,)),
        ("POST", f"/v2/pcus/association/{GROUP}/{DC}", (201,)),
        ("DELETE", f"/v2/pcus/association/{GROUP}/{DC}", (200,)),
        ("POST", "/v2/pcus/association/transfer", (202,)),
    }


def test_pcu_bodies() -> None:
    # all groups: exactly astrapy's payload (astrapy/admin/admin.py list_pcu_groups)
    assert pcu.list_pcu_groups().json == {}
    assert pcu.list_pcu_groups([f" {GROUP} "]).json == {"pcuGroupUUIDs": [GROUP]}
    assert pcu.list_pcu_types().json == {}
    assert pcu.list_pcu_types("AWS", " us-east-2 ").json == {
        "provider": "aws",
        "region": "us-east-2",
    }
    made = pcu.create_pcu_group(" orders ", "gcp", "us-east1", max_pcus=3, description="prod")
    assert made.json == [
        {
            "title": "orders",
            "cloudProvider": "GCP",
            "region": "us-east1",
            "instanceType": "standard",
            "provisionType": "shared",
            "min": 1,
            "max": 3,
            "reserved": 0,
            "description": "prod",
        }
    ]
    assert made.operation == "create PCU group `orders`"
    assert pcu.update_pcu_group(GROUP, title="new", reserved=2).json == [
        {"pcuGroupUUID": GROUP, "title": "new", "reserved": 2}
    ]
    assert pcu.transfer_pcu_association(GROUP, OTHER, DC).json == {
        "fromPCUGroupUUID": GROUP,
        "toPCUGroupUUID": OTHER,
        "datacenterUUID": DC,
    }


@pytest.mark.parametrize(
    "build",
    [
        lambda: pcu.list_pcu_groups([".."]),
        lambda: pcu.list_pcu_types("ibm"),
        lambda: pcu.create_pcu_group("", "aws", "us-east-2"),
        lambda: pcu.create_pcu_group("x" * 101, "aws", "us-east-2"),
        lambda: pcu.create_pcu_group("t", "mars", "us-east-2"),
        lambda: pcu.create_pcu_group("t", "aws", "us-east-2", min_pcus=3, max_pcus=2),
        lambda: pcu.create_pcu_group("t", "aws", "us-east-2", reserved=-1),
        lambda: pcu.create_pcu_group("t", "aws", "us-east-2", max_pcus=True),
        lambda: pcu.update_pcu_group(GROUP),
        lambda: pcu.update_pcu_group("", title="x"),
        lambda: pcu.delete_pcu_group(".."),
        lambda: pcu.park_pcu_group(" "),
        lambda: pcu.associate_pcu_datacenter(GROUP, ".."),
        lambda: pcu.transfer_pcu_association(GROUP, GROUP, DC),
        lambda: clone.clone_database(DB, DB, "snap"),
        lambda: clone.clone_database(DB, "src", " "),
        lambda: clone.list_snapshots(DB, since=datetime(2026, 1, 1)),
        lambda: clone.list_snapshots(
            DB, since=datetime(2026, 2, 1, tzinfo=UTC), until=datetime(2026, 1, 1, tzinfo=UTC)
        ),
        lambda: clone.clone_status(DB, "."),
    ],
)
def test_bad_input_is_refused_before_sending(build: Any) -> None:
    with pytest.raises(AstraBadRequest) as caught:
        build()
    assert caught.value.user_message


def test_snapshot_and_clone_requests() -> None:
    east = timezone(timedelta(hours=-5))
    listed = clone.list_snapshots(
        DB,
        since=datetime(2026, 1, 1, 19, 0, tzinfo=east),
        until=datetime(2026, 1, 3, tzinfo=UTC),
        source_region="us-east1",
    )
    assert (listed.method, listed.path) == ("GET", f"/v2/databases/{DB}/snapshots")
    assert listed.params == (
        ("from", "2026-01-02T00:00:00Z"),
        ("to", "2026-01-03T00:00:00Z"),
        ("sourceRegion", "us-east1"),
    )
    made = clone.clone_database(DB, "src", "snap 1", source_region="eu-west-1")
    assert (made.method, made.path) == ("POST", f"/v2/databases/{DB}/cloneFrom/src")
    assert made.params == (("snapshotID", "snap 1"), ("sourceRegion", "eu-west-1"))
    assert made.operation == f"clone database `src` into `{DB}`"
    status = clone.clone_status(DB, "op-1")
    assert (status.method, status.path) == ("GET", f"/v2/databases/{DB}/cloneStatus/op-1")


def _answer(req: ApiRequest, body: Any, status: int = 200) -> ApiResponse:
    raw = body if isinstance(body, bytes) else json.dumps(body).encode()
    return ApiResponse(status, {}, raw)


def test_pcu_answers_are_read_tolerantly() -> None:
    req = pcu.list_pcu_groups()
    assert pcu.parse_pcu_groups(req, _answer(req, b"null")) == []
    (group,) = pcu.parse_pcu_groups(
        req,
        _answer(
            req,
            [
                {
                    "uuid": GROUP,
                    "cloudProvider": "AWS",
                    "region": "us-east-2",
                    "Status": "PARKED",
                    "pcuType": {"type": "standard", "details": {"vCPU": 4}},
                    "newField": 1,
                }
            ],
        ),
    )
    assert (group.status, group.pcu_type and group.pcu_type.details.v_cpu) == ("PARKED", 4)
    with pytest.raises(AstraUnreadable):  # no uuid: astrapy could not read it either
        pcu.parse_pcu_groups(req, _answer(req, [{"cloudProvider": "AWS", "region": "x"}]))
    with pytest.raises(AstraUnreadable):
        pcu.parse_pcu_groups(req, _answer(req, {"uuid": GROUP}))
    one = pcu.list_pcu_groups([GROUP])
    with pytest.raises(AstraNotFound):
        pcu.parse_pcu_group(one, _answer(one, []))
    assoc = pcu.list_pcu_associations(GROUP)
    (a,) = pcu.parse_pcu_associations(assoc, _answer(assoc, [{"datacenterUUID": DC}]))
    assert a.datacenter_uuid == DC
    assert pcu.parse_pcu_associations(assoc, _answer(assoc, b"null")) == []


def test_snapshot_answers() -> None:
    req = clone.list_snapshots(DB)
    body = {"snapshots": [{"id": "s1", "time": "2026-01-02T00:00:00Z"}]}
    assert [s.id for s in clone.parse_snapshots(req, _answer(req, body))] == ["s1"]
    assert clone.parse_snapshots(req, _answer(req, {"snapshots": None})) == []
    with pytest.raises(AstraUnreadable):
        clone.parse_snapshots(req, _answer(req, {"other": []}))
    op = clone.clone_status(DB, "op-1")
    got = clone.parse_clone_status(op, _answer(op, {"operationID": "op-1", "status": "DONE"}))
    assert (got.operation_id, got.status) == ("op-1", "DONE")
