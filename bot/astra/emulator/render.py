"""The emulator's JSON renderings of databases, datacenters, roles and users."""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any

from bot.astra.emulator.catalogue import _REGION_INDEX, ZERO_TIME
from bot.astra.emulator.state import EmulatorState, _Database, _Datacenter, _User


class Renderer(EmulatorState):
    """Renders the state as the DevOps API answers it."""

    def database_json(self, db_id: str) -> dict[str, Any]:
        db = self._get(db_id)
        if db is None:
            raise KeyError(db_id)
        return self._render_db(db)

    # ---------------------------------------------------------------- rendering

    def _bundle_url(self, dc: _Datacenter, name: str, kind: str = "") -> str:
        now = datetime.now(UTC)
        sig = hashlib.sha256(f"{dc.id}{kind}{now.isoformat()}".encode()).hexdigest()
        return (
            f"https://datastax-cluster-config-prod.s3.us-east-2.amazonaws.com/{dc.id}/"
            f"secure-connect-{kind}{name}.zip?X-Amz-Algorithm=AWS4-HMAC-SHA256"
            f"&X-Amz-Date={now.strftime('%Y%m%dT%H%M%SZ')}&X-Amz-Expires=300"
            f"&X-Amz-SignedHeaders=host&X-Amz-Signature={sig}"
        )

    def _render_dc(self, db: _Database, dc: _Datacenter) -> dict[str, Any]:
        info = _REGION_INDEX.get((dc.cloud, dc.region))
        return {
            "id": dc.id,
            "name": dc.name,
            "tier": dc.tier,
            "status": dc.status,
            "dateCreated": dc.created,
            "cloudProvider": dc.cloud,
            "region": dc.region,
            "regionZone": info[3] if info else "na",
            "regionClassification": info[4] if info else "standard",
            "capacityUnits": dc.capacity_units,
            "secureBundleUrl": self._bundle_url(dc, db.name),
            "secureBundleInternalUrl": self._bundle_url(dc, db.name, "internal-"),
            "secureBundleMigrationProxyUrl": self._bundle_url(dc, db.name, "proxy-"),
            "secureBundleMigrationProxyInternalUrl": self._bundle_url(
                dc, db.name, "proxy-internal-"
            ),
        }

    @staticmethod
    def _actions(db: _Database) -> list[str]:
        # only values of the official spec's availableActions enum
        if db.status == "ACTIVE":
            acts = [
                "addKeyspace",
                "removeKeyspace",
                "addDatacenters",
                "terminateDatacenter",
                "getCreds",
                "terminate",
            ]
            if db.tier != "serverless":
                acts += ["park", "resize", "resetPassword"]
            return acts
        if db.status == "PARKED":
            return ["unpark", "terminate"]
        if db.status in {"ERROR", "PENDING", "INITIALIZING"}:
            return ["terminate"]
        return []

    def _render_db(self, db: _Database) -> dict[str, Any]:
        host = f"https://{db.id}-{db.region}"
        live = db.live_datacenters()
        info: dict[str, Any] = {
            "name": db.name,
            "keyspace": db.keyspace,
            "keyspaces": list(db.keyspaces),
            "datacenters": [self._render_dc(db, dc) for dc in live],
            "cloudProvider": db.cloud,
            "tier": db.tier,
            "capacityUnits": db.capacity_units,
            "region": db.region,
            "additionalKeyspaces": [k for k in db.keyspaces if k != db.keyspace],
        }
        if db.db_type:
            info["dbType"] = db.db_type
        body: dict[str, Any] = {
            "id": db.id,
            "orgId": self.config.org_id,
            "ownerId": db.owner_id,
            "creationTime": db.created,
            "terminationTime": db.terminated or ZERO_TIME,
            "lastUsageTime": db.created,
            "info": info,
            "status": db.status,
            "observedStatus": db.status,
            "storage": {
                "nodeCount": 3 * max(len(live), 1),
                "replicationFactor": 1,
                "totalStorage": 5,
                "usedStorage": 0,
            },
            "cost": {
                "costPerMinCents": 0.0,
                "costPerHourCents": 0.0,
                "costPerWrittenGbCents": 0.1,
                "costPerReadGbCents": 0.1,
            },
            "metrics": {
                "writeRequestsTotalCount": 0,
                "readRequestsTotalCount": 0,
                "liveDataSizeBytes": 0,
                "errorsTotalCount": 0,
            },
            "availableActions": self._actions(db),
            "grafanaUrl": f"https://{db.id}-{db.region}.dashboard.astra.datastax.com/d/cloud/"
            "dse-cluster-condensed?refresh=30s&orgId=1&kiosk=tv",
            "cqlshUrl": f"{host}.apps.astra.datastax.com/cqlsh",
            "graphqlUrl": f"{host}.apps.astra.datastax.com/api/graphql",
            "dataEndpointUrl": f"{host}.apps.astra.datastax.com/api/rest",
        }
        if db.message:
            body["message"] = db.message
        return body

    def _render_role(self, role: Mapping[str, Any]) -> dict[str, Any]:
        if self.config.role_casing == "pascal":
            return {"ID": role["id"], "Name": role["name"], "Policy": role["policy"]}
        return dict(role)

    def _render_user(self, user: _User) -> dict[str, Any]:
        roles = [self._render_role(self._roles[r]) for r in user.roles if r in self._roles]
        if self.config.role_casing == "pascal":
            return {
                "UserID": user.user_id,
                "Email": user.email,
                "Status": user.status,
                "Roles": roles,
            }
        return {"userID": user.user_id, "email": user.email, "status": user.status, "roles": roles}
