"""A stateful emulator of the Astra DevOps API v2, as a Starlette ASGI app.

Used by ``astra-bot serve --sandbox``, ``astra-bot shell`` and the tests. It answers every
endpoint :class:`bot.astra.client.AstraClient` calls with the paths, statuses and bodies of
the official spec (``devops-api-official.json``; park/unpark from the Go client's spec),
with payloads shaped like the real astra-cli fixtures. It reads nothing from disk.

Behaviour (NOTES.md §2-§4, §8):

- Organizations are told apart by token, as the real API does: each
  :class:`EmulatedOrg` has its own id, name, databases, roles, users, tokens, access lists
  and telemetry. ``AstraEmulator()`` is one org (``EmulatorConfig``'s); ``AstraEmulator(
  orgs=["sandbox", "sandbox-2"])`` serves two, the token of each being
  :func:`org_token` ``(name)``. A database, role or user of another org is not found (404).
- Bearer auth against an org's ``EmulatorConfig.tokens`` plus the tokens created through
  its ``POST /v2/tokens`` (until revoked); anything else → 401 with the real "invalid
  token" error ID 340018. Configured tokens are always accepted, even if their client id
  is revoked, so a sandbox cannot lock itself out.
- Errors are ``{"errors":[{"ID": int, "message": str}]}``. IDs other than 340018 are
  invented (``1000000 + status``).
- Status is computed lazily from ``EmulatorConfig.clock`` (no background task):
  create → PENDING → INITIALIZING → ACTIVE; terminate → TERMINATING → TERMINATED (GET
  still answers 200; ``include=nonterminated``, the default, hides it); keyspace
  create/delete → MAINTENANCE → ACTIVE, ``info.keyspaces`` changed when it ends;
  park ACTIVE → PARKING → PARKED; unpark PARKED → UNPARKING → ACTIVE; resize → RESIZING →
  ACTIVE; add/remove region → MAINTENANCE → ACTIVE.
- 409 ("not in a valid state") for: terminate while MAINTENANCE/RESIZING/PARKING/
  UNPARKING/TERMINATING/TERMINATED; terminate with more than one live region ("remove the
  extra regions first", TF#182); keyspace or region changes unless ACTIVE; creating an
  existing keyspace; park unless ACTIVE; unpark unless PARKED; resize unless ACTIVE.
- Chosen where the spec is silent: park/unpark/resize of a *serverless* database → 400
  "… is not supported for serverless databases" (it is a property of the database, not of
  its state, so not a 409). Resize: 1..100, no shrink, at most +3 per operation → 400.
  Dropping a keyspace that does not exist → 204 (Go spec: "no keyspace found to
  delete"); an existing one → 202. Invalid keyspace names → 422 (addKeyspace has no 400).
  Revoking an unknown client id → 400 (deleteTokenForClient declares no 404). Telemetry
  and audit-log GET with nothing configured → 404 with the error body (the document's 200
  bodies each require a configured block; 404 is the only answer it has for none).
- Paging of GET /v2/databases: ``limit`` 1.. (default 25; more than 100 is 100, silently,
  as the real API; below 1 or not a number → 400), ``starting_after``
  = an id (unknown → 400), ``provider`` ALL/GCP/AWS/AZURE, ``include`` a status or
  nonterminated/all.
- Create validates name, cloudProvider, region, tier, capacityUnits (missing → 400,
  unparsable body → 422) and the region against the built-in catalogue (→ 400); answers
  201 with ``Location: <id>`` and no body.

Test and benchmark controls: :class:`AstraEmulator` has Python helpers (``add_database``,
``set_status``, ``settle``, ``inject_fault``, ``requests``, ``count``…) and the same over
HTTP under ``/_emulator/…`` (unauthenticated; not recorded; ``?org=<name>`` picks an org; see
:meth:`AstraEmulator._controls`).
``python -m bot.astra.emulator --port 8765`` serves it.
"""

from bot.astra.emulator.app import AstraEmulator, create_app, main
from bot.astra.emulator.catalogue import (
    DB_ADMIN_ROLE_ID,
    ERR_INVALID_TOKEN,
    ORG_ADMIN_ROLE_ID,
    READ_ONLY_ROLE_ID,
    REGIONS,
    SANDBOX_CLIENT_ID,
    SANDBOX_ORG,
    SANDBOX_TOKEN,
    ZERO_TIME,
    org_id_of,
    org_token,
)
from bot.astra.emulator.controls import Fault, RecordedRequest
from bot.astra.emulator.org import EmulatedOrg
from bot.astra.emulator.state import EmulatorConfig

__all__ = [
    "DB_ADMIN_ROLE_ID",
    "ERR_INVALID_TOKEN",
    "ORG_ADMIN_ROLE_ID",
    "READ_ONLY_ROLE_ID",
    "REGIONS",
    "SANDBOX_CLIENT_ID",
    "SANDBOX_ORG",
    "SANDBOX_TOKEN",
    "ZERO_TIME",
    "AstraEmulator",
    "EmulatedOrg",
    "EmulatorConfig",
    "Fault",
    "RecordedRequest",
    "create_app",
    "main",
    "org_id_of",
    "org_token",
]
