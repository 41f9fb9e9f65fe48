"""PURE: the typed commands of private links, custom domains, customer keys and VPC peering.

Each is an organization's network-security setting: who may connect to a database from
which cloud account, under which domain, encrypted by which key, peered with which VPC.
They are admin commands (the default level): DESIGN §3 lists viewer's and operator's
commands, and these are not among them; a custom role (``private-link.*``, ``peering.*``,
optionally scoped ``--db``) hands them to others where wanted.
"""

from __future__ import annotations

from typing import Annotated

from bot.commands.base import Command
from bot.commands.spec import Cloud, Db, Description, Flag, Param, Settings

#: ``--region r``: the database's datacenter in that region (optional with one region).
DcRegion = Annotated[str | None, Flag("region", "region")]
Endpoint = Annotated[str, Param("endpoint", "id", help="the endpoint id in your cloud")]
Principal = Annotated[str, Param("principal", "principal", help="an ARN, account or project")]
Domains = Annotated[tuple[str, ...], Param("domain", "domain", rest=True)]
KeyCloud = Annotated[str, Param("cloud", "cloud")]
KeyRegion = Annotated[str, Param("region", "region")]
#: ``--classic``: the Managed Cluster (classic) keys instead of the serverless ones.
Classic = Annotated[bool | None, Flag("classic", "switch")]


class ShowPrivateLink(Command, command="private-link show"):
    """show a database's private links, or one region's

    /astra private-link show orders --region us-east-2
    """

    db: Db
    region: DcRegion = None


class AllowPrincipals(Command, command="private-link principal add", mutating=True):
    """allow cloud principals to connect to a database's private link

    /astra private-link principal add orders arn:aws:iam::123456789012:root
    """

    db: Db
    principals: Annotated[tuple[str, ...], Param("principal", "principal", rest=True)]
    region: DcRegion = None


class RemovePrincipal(Command, command="private-link principal remove", destructive=True):
    """stop allowing a principal on a database's private link (asks for confirmation)

    /astra private-link principal remove orders arn:aws:iam::123456789012:root
    """

    db: Db
    principal: Principal
    region: DcRegion = None


class AcceptEndpoint(Command, command="private-link endpoint accept", mutating=True):
    """accept your endpoint on a database's private link

    /astra private-link endpoint accept orders vpce-0a1b2c3d --description billing
    """

    db: Db
    endpoint: Endpoint
    region: DcRegion = None
    description: Description = None


class ShowEndpoint(Command, command="private-link endpoint show"):
    """show an endpoint of a database's private link

    /astra private-link endpoint show orders vpce-0a1b2c3d
    """

    db: Db
    endpoint: Endpoint
    region: DcRegion = None


class DescribeEndpoint(Command, command="private-link endpoint describe", mutating=True):
    """change an endpoint's description

    /astra private-link endpoint describe orders vpce-0a1b2c3d "billing, production"
    """

    db: Db
    endpoint: Endpoint
    description: Annotated[str, Param("description", "text")]
    region: DcRegion = None


class RejectEndpoint(Command, command="private-link endpoint reject", destructive=True):
    """reject an endpoint of a database's private link (asks for confirmation)

    /astra private-link endpoint reject orders vpce-0a1b2c3d --region us-east-2
    """

    db: Db
    endpoint: Endpoint
    region: DcRegion = None


class AddCustomDomains(Command, command="custom-domain add", mutating=True):
    """add custom domains for private-link hostnames

    /astra custom-domain add db.example.com
    """

    domains: Domains


class RemoveCustomDomains(Command, command="custom-domain remove", destructive=True):
    """remove custom domains (asks for confirmation)

    /astra custom-domain remove db.example.com
    """

    domains: Domains


class SetCustomDomains(Command, command="custom-domain set", mutating=True):
    """replace the custom domains (asks for confirmation if it removes one)

    /astra custom-domain set db.example.com data.example.org
    """

    domains: Domains


class ShowCustomerKey(Command, command="kms show", secret_output=True):
    """show the customer key of a cloud region (only to you)

    /astra kms show aws us-east-1 --classic
    """

    cloud: KeyCloud
    region: KeyRegion
    classic: Classic = None


class ListKeyAccounts(Command, command="kms accounts", secret_output=True):
    """the Astra cloud accounts your key must trust (only to you)

    /astra kms accounts gcp us-east1
    """

    cloud: KeyCloud
    region: KeyRegion
    classic: Classic = None


class CreateCustomerKey(Command, command="kms create", mutating=True, secret_output=True):
    """register a customer key for a cloud region

    /astra kms create aws us-east-1 arn:aws:kms:us-east-1:111122223333:key/1234abcd
    """

    cloud: KeyCloud
    region: KeyRegion
    key: Annotated[str, Param("key", "kms-key", help="the key's ARN or resource name")]
    classic: Classic = None


class AssignKeyAccount(Command, command="kms assign-account", mutating=True):
    """give the org a cloud account for classic customer keys

    /astra kms assign-account aws
    """

    cloud: KeyCloud


class CreatePeering(Command, command="peering create", mutating=True):
    """peer a classic database's VPC with yours

    /astra peering create legacy accountId=123456789012 vpcId=vpc-0a1b2c3d
    region=us-east-1 cidrBlock=10.20.0.0/16
    """

    db: Db
    settings: Settings
    cloud: Cloud = None


class DeletePeering(Command, command="peering delete", destructive=True):
    """delete a classic database's VPC peering (asks for confirmation)

    /astra peering delete legacy
    """

    db: Db
    cloud: Cloud = None
