"""PURE: the tolerant reader every answer model is: keys in any casing, null lists, times."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Annotated, Any, ClassVar

from pydantic import BaseModel, BeforeValidator, ConfigDict, model_validator
from pydantic.alias_generators import to_camel


def _fold(key: str) -> str:
    return key.replace("_", "").replace("-", "").lower()


def _none_to_list(value: Any) -> Any:
    return [] if value is None else value


#: A list the API may send as ``null``.
NullableList = Annotated[list[str], BeforeValidator(_none_to_list)]


_LOOKUPS: dict[type[BaseModel], dict[str, str]] = {}


#: Per model: wire key → the field alias it lands on (None: an extra key, kept as it is).
_SPELLINGS: dict[type[BaseModel], dict[str, str | None]] = {}


#: Spellings remembered per model (keys are the API's, but never an unbounded set).
_MAX_SPELLINGS = 512


_UNSEEN: Any = object()


class ApiModel(BaseModel):
    """Base of every payload model: camelCase aliases, extra keys kept, keys folded."""

    model_config = ConfigDict(
        extra="allow",
        alias_generator=to_camel,
        validate_by_name=True,
        validate_by_alias=True,
    )

    #: More wire spellings that should land on a field: ``{folded key: field alias}``.
    _extra_keys: ClassVar[Mapping[str, str]] = {}

    @classmethod
    def _key_lookup(cls) -> dict[str, str]:
        lookup = _LOOKUPS.get(cls)
        if lookup is None:
            lookup = {}
            for name, info in cls.model_fields.items():
                alias = info.alias or name
                lookup[_fold(name)] = alias
                lookup[_fold(alias)] = alias
            for folded, alias in cls._extra_keys.items():
                lookup[folded] = alias
            _LOOKUPS[cls] = lookup
        return lookup

    @model_validator(mode="before")
    @classmethod
    def _normalise_keys(cls, data: Any) -> Any:
        # NOTES.md §1b: the wire casing of several objects is unproven (spec camelCase,
        # Java SDK PascalCase), so map every key onto the field alias case-insensitively.
        if not isinstance(data, Mapping):
            return data
        # The hot path of every list (a 1000-database org is 1000 of these per read): each
        # wire spelling is folded once per model, and a payload whose keys are all aliases
        # or unknown extras goes through as it is.
        spellings = _SPELLINGS.setdefault(cls, {})
        renamed = False
        for key in data:
            canon = spellings.get(key, _UNSEEN)
            if canon is _UNSEEN:
                canon = cls._key_lookup().get(_fold(key)) if isinstance(key, str) else None
                if len(spellings) < _MAX_SPELLINGS:
                    spellings[key] = canon
            if canon is not None and canon != key:
                renamed = True
                break
        if not renamed:
            return data
        lookup = cls._key_lookup()
        out: dict[str, Any] = {}
        for key, value in data.items():
            canon = lookup.get(_fold(key)) if isinstance(key, str) else None
            if canon is None:
                out.setdefault(key, value)
            elif canon not in out or key == canon:
                # an exact spelling wins over a folded one when both are present
                out[canon] = value
        return out


def _parse_time(value: str | None) -> datetime | None:
    """RFC 3339 → datetime; None for missing, unparsable or Go's zero time (0001-01-01)."""
    if not value or value.startswith("0001-01-01"):
        return None
    try:
        return datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
