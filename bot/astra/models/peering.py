"""PURE: VPC peering of a classic database: the connection and the body that asks for one."""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Final

from pydantic import Field

from bot.astra.models.base import ApiModel

#: The fields each provider's peering request requires (official document: ``AmazonVPC``,
#: ``GoogleVPC``, ``AzureVPC``), keyed by the lower-case provider of the path.
PEERING_FIELDS: Final[Mapping[str, tuple[str, ...]]] = {
    "aws": ("accountId", "vpcId", "region", "cidrBlock"),
    "gcp": ("projectId", "vpcNetworkName"),
    "azure": ("tenantId", "subscriptionId", "resourceGroupName", "virtualNetworkName"),
}

#: Value patterns of the official document (``AmazonVPC``; ``VPC.cidrBlock``).
PEERING_PATTERNS: Final[Mapping[str, re.Pattern[str]]] = {
    "accountId": re.compile(r"^\d{12}$"),
    "vpcId": re.compile(r"^(vpc-)([a-z0-9]{8}|[a-z0-9]{17})$"),
    "cidrBlock": re.compile(r"^([0-9]{1,3}\.){3}[0-9]{1,3}(\/([0-9]|[1-2][0-9]|3[0-2]))?$"),
}


class Vpc(ApiModel):
    """One side of a peering (``VPC``: all four required; "" where an answer lacks one)."""

    provider: str = ""
    account: str = ""
    vpc_id: str = ""
    cidr_block: str = ""


class VpcConnection(ApiModel):
    """``VPCConnection``: the peering between the database's VPC and the customer's."""

    connection_id: str = ""
    status: str = ""
    current_vpc: Vpc = Field(default_factory=Vpc)
    other_vpc: Vpc = Field(default_factory=Vpc)
