"""The pure layer of private links, custom domains, customer keys and VPC peering: each
request builder's method, path, body and expected statuses; bad input refused before
anything is sent (a bot error with a clear message, never a traceback); answers read
tolerantly; key material and principals kept out of reprs."""

from __future__ import annotations

import json
from typing import Any

import pytest

from bot.astra.http import ApiRequest, ApiResponse, keys, peering
from bot.astra.http import domains as dom
from bot.astra.http import private_link as pl
from bot.astra.models.private_link import PrivateLinkDatacenter, PrivateLinkService
from bot.errors import AstraBadRequest, AstraUnreadable

DB = "3f1c1c2a-5b7e-4c1d-9a3e-0d5f3b1e2a10"
DC = f"{DB}-1"
AWS = {
    "accountId": "123456789012",
    "vpcId": "vpc-00001111aa332244c",
    "region": "us-east-2",
    "cidrBlock": "10.20.0.0/16",
}


def network_requests(db: str, dc: str) -> list[ApiRequest]:
    """One request of every operation of this layer (tests/test_metrics.py counts them)."""
    return [
        pl.list_cluster_private_links(db),
        pl.get_datacenter_private_link(db, dc),
        pl.allow_principals(db, dc, ["arn:aws:iam::123456789012:root"], first=True),
        pl.allow_principals(db, dc, ["arn:aws:iam::123456789012:root"], first=False),
        pl.remove_allowed_principal(db, dc, "arn:aws:iam::123456789012:root"),
        pl.accept_private_endpoint(db, dc, "vpce-1", "app"),
        pl.get_private_endpoint(db, dc, "vpce-1"),
        pl.describe_private_endpoint(db, dc, "vpce-1", "app"),
        pl.reject_private_endpoint(db, dc, "vpce-1"),
        dom.set_custom_domains(["db.example.com"]),
        keys.create_customer_key("aws", "us-east-2", "arn:aws:kms:k", classic=False),
        keys.list_classic_kms_keys(),
        keys.get_customer_key("aws", "us-east-2", classic=True),
        keys.list_key_cloud_accounts("aws", "us-east-2", classic=False),
        keys.assign_cloud_account("aws"),
        peering.create_vpc_peering("aws", db, AWS),
        peering.delete_vpc_peering("aws", db),
    ]


def test_private_link_requests_are_the_documents() -> None:
    base = f"/v2/organizations/clusters/{DB}"
    assert pl.list_cluster_private_links(DB).path == f"{base}/private-link"
    get = pl.get_datacenter_private_link(DB, DC)
    assert (get.method, get.path) == ("GET", f"{base}/datacenters/{DC}/private-link")
    first = pl.allow_principals(DB, DC, [" arn:a ", "arn:a", "arn:b"], first=True)
    assert (first.method, first.path) == ("POST", f"{base}/datacenters/{DC}/private-link")
    assert first.json == {"allowedPrincipals": ["arn:a", "arn:b"]}
    more = pl.allow_principals(DB, DC, ["arn:c"], first=False)
    assert more.path == f"{base}/datacenters/{DC}/allowed-principals"
    gone = pl.remove_allowed_principal(DB, DC, "arn:c")
    assert (gone.method, gone.json, gone.expect) == (
        "DELETE",
        {"allowedPrincipal": "arn:c"},
        frozenset({204}),
    )
    accept = pl.accept_private_endpoint(DB, DC, "vpce-1", "billing")
    assert accept.path == f"{base}/datacenters/{DC}/endpoints"
    assert accept.json == {"endpointID": "vpce-1", "description": "billing"}
    put = pl.describe_private_endpoint(DB, DC, "vpce/1", "x")
    assert (put.method, put.path) == ("PUT", f"{base}/datacenters/{DC}/endpoints/vpce%2F1")
    reject = pl.reject_private_endpoint(DB, DC, "vpce-1")
    assert (reject.method, reject.expect) == ("DELETE", frozenset({204}))


@pytest.mark.parametrize(
    "build",
    [
        lambda: pl.allow_principals(DB, DC, [], first=True),
        lambda: pl.allow_principals(DB, DC, ["arn:a", "  "], first=False),
        lambda: pl.remove_allowed_principal(DB, DC, ""),
        lambda: pl.accept_private_endpoint(DB, DC, ".."),
        lambda: pl.accept_private_endpoint(DB, DC, "vpce-1", "x" * 201),
        lambda: pl.get_private_endpoint(DB, "..", "vpce-1"),
        lambda: dom.set_custom_domains(["db.example.com", "not a domain"]),
        lambda: dom.set_custom_domains(["-bad.example.com"]),
        lambda: dom.set_custom_domains(["a" * 64 + ".com"]),
        lambda: keys.create_customer_key("ibm", "us-east-2", "k", classic=False),
        lambda: keys.create_customer_key("aws", "us-east-2", "", classic=False),
        lambda: keys.create_customer_key("aws", "us-east-2", "two words", classic=True),
        lambda: keys.create_customer_key("aws", "US EAST", "k", classic=True),
        lambda: keys.get_customer_key("aws", "../x", classic=False),
        lambda: keys.assign_cloud_account(""),
        lambda: peering.create_vpc_peering("ibm", DB, AWS),
        lambda: peering.create_vpc_peering("aws", DB, {**AWS, "accountId": "12"}),
        lambda: peering.create_vpc_peering("aws", DB, {**AWS, "vpcId": "vpc-x"}),
        lambda: peering.create_vpc_peering("aws", DB, {**AWS, "cidrBlock": "10.0.0.0/33"}),
        lambda: peering.create_vpc_peering(
            "aws", DB, {k: v for k, v in AWS.items() if k != "region"}
        ),
        lambda: peering.create_vpc_peering("gcp", DB, {"projectId": "p"}),
        lambda: peering.create_vpc_peering(
            "gcp", DB, {"projectId": "p", "vpcNetworkName": "n", "x": "y"}
        ),
        lambda: peering.delete_vpc_peering("aws", ""),
    ],
)
def test_bad_input_is_refused_before_sending(build: Any) -> None:
    with pytest.raises(AstraBadRequest) as raised:
        build()
    assert str(raised.value) and raised.value.operation is None  # never sent


def test_custom_domains_are_the_whole_set() -> None:
    req = dom.set_custom_domains(["DB.example.com.", "db.example.com", "x.org"])
    assert (req.method, req.path, req.expect) == (
        "POST",
        "/v2/organizations/customDomains",
        frozenset({202}),
    )
    assert req.json == ["db.example.com", "x.org"]
    assert dom.set_custom_domains([]).json == []  # removes every domain


def test_key_requests_take_the_serverless_or_classic_tree() -> None:
    made = keys.create_customer_key("AWS", "us-east-2", "arn:k", classic=False, org_id="o")
    assert (made.method, made.path) == ("POST", "/v2/kms")
    assert made.json == {"orgId": "o", "aws": {"keyID": "arn:k", "region": "us-east-2"}}
    assert keys.create_customer_key("gcp", "us-east1", "k", classic=True).path == "/v2/kms/classic"
    assert (
        keys.get_customer_key("Azure", "eastus", classic=False).path
        == "/v2/kms/provider/azure/region/eastus"
    )
    assert (
        keys.list_key_cloud_accounts("aws", "us-east-2", classic=True).path
        == "/v2/kms/classic/provider/aws/region/us-east-2/accounts"
    )
    assigned = keys.assign_cloud_account("GCP")
    assert (assigned.path, assigned.json, assigned.expect) == (
        "/v2/kms/classic/provider/gcp/accounts",
        None,
        frozenset({201}),
    )


def test_peering_body_is_exactly_the_providers_fields() -> None:
    req = peering.create_vpc_peering("AWS", DB, {**AWS, "vpcId": " vpc-00001111aa332244c "})
    assert (req.method, req.path, req.expect) == (
        "POST",
        f"/v2/peering/provider/aws/database/{DB}",
        frozenset({201}),
    )
    assert req.json == AWS
    azure = {
        "tenantId": "t",
        "subscriptionId": "s",
        "resourceGroupName": "r",
        "virtualNetworkName": "v",
    }
    assert peering.create_vpc_peering("azure", DB, azure).json == azure
    assert peering.delete_vpc_peering("gcp", DB).expect == frozenset({204})


def _answer(req: ApiRequest, body: Any) -> ApiResponse:
    return ApiResponse(200, {}, json.dumps(body).encode())


def test_answers_are_read_tolerantly_and_keep_secrets_out_of_reprs() -> None:
    req = pl.get_datacenter_private_link(DB, DC)
    dc = pl.parse_private_link_datacenter(
        req,
        _answer(
            req,
            {
                "DatacenterID": DC,
                "serviceName": "com.amazonaws.vpce.us-east-2.vpce-svc-1",
                "allowedPrincipals": ["arn:aws:iam::123456789012:role/secret-team"],
                "endpoints": None,
                "futureField": 1,
            },
        ),
    )
    assert isinstance(dc, PrivateLinkDatacenter) and dc.configured and dc.endpoints == []
    assert dc.datacenter_id == DC and "secret-team" not in repr(dc)
    assert not PrivateLinkService().allowed_principals
    key_req = keys.get_customer_key("gcp", "us-east1", classic=False)
    key = keys.parse_customer_key(
        key_req, _answer(key_req, {"orgId": "o", "gcp": {"keyID": "projects/p/k", "region": "r"}})
    )
    assert (key.cloud_provider, key.key_id) == ("gcp", "projects/p/k")
    assert "projects/p/k" not in repr(key)


@pytest.mark.parametrize("body", [[], {"orgId": "o"}, {"orgId": "o", "aws": "arn"}, None])
def test_a_key_answer_of_no_provider_is_unreadable(body: Any) -> None:
    req = keys.get_customer_key("aws", "us-east-2", classic=False)
    raw = b"null" if body is None else json.dumps(body).encode()
    with pytest.raises(AstraUnreadable):
        keys.parse_customer_key(req, ApiResponse(200, {}, raw))
