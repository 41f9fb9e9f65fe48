"""PURE: the organization, its tokens (secrets as SecretStr), roles and users."""

from __future__ import annotations

from typing import Annotated

from pydantic import BeforeValidator, ConfigDict, Field, SecretStr

from bot.astra.models.base import ApiModel, NullableList, _none_to_list


class Organization(ApiModel):
    id: str
    name: str | None = None


class Token(ApiModel):
    """A token as listed (``ClientRole`` + fixture IamTokens.json). Never has a secret."""

    client_id: str
    roles: NullableList = Field(default_factory=list)
    description: str | None = None
    generated_on: str | None = None
    token_expiry: str | None = None


class CreatedToken(ApiModel):
    """``POST /v2/tokens`` answer: the secret and token are shown once, never printed."""

    # unknown keys are dropped here: they could carry secret material into a repr
    model_config = ConfigDict(extra="ignore")

    client_id: str
    secret: SecretStr
    token: SecretStr | None = None
    org_id: str | None = None
    roles: NullableList = Field(default_factory=list)
    generated_on: str | None = None
    token_expiry: str | None = None

    def __str__(self) -> str:
        return f"CreatedToken(client_id={self.client_id!r}, roles={self.roles!r})"

    def __repr__(self) -> str:
        return self.__str__()


class Policy(ApiModel):
    description: str = ""
    resources: NullableList = Field(default_factory=list)
    actions: NullableList = Field(default_factory=list)
    effect: str = "allow"


class Role(ApiModel):
    """A role; the API is read with ``id/name/policy`` or ``ID/Name/Policy`` alike."""

    id: str = ""
    name: str = ""
    policy: Policy = Field(default_factory=Policy)
    last_update_datetime: str | None = Field(default=None, alias="last_update_datetime")
    last_update_userid: str | None = Field(default=None, alias="last_update_userid")


class User(ApiModel):
    """``UserResponse`` (``userID/email/status/roles`` or ``UserID/Email/Status/Roles``)."""

    user_id: str = Field(alias="userID")
    email: str = ""
    status: str = ""
    roles: Annotated[list[Role], BeforeValidator(_none_to_list)] = Field(default_factory=list)


class OrganizationUsers(ApiModel):
    """``GET /v2/organizations/users`` (``OrgID/OrgName/Users`` read too)."""

    org_id: str = Field(default="", alias="orgID")
    org_name: str = ""
    users: Annotated[list[User], BeforeValidator(_none_to_list)] = Field(default_factory=list)
