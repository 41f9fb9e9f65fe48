"""A valid sample value of each kind of parameter, and the text of a command built from them
(shared by the tests of the grammar and of the typed commands)."""

from __future__ import annotations

from bot.commands import CommandSpec

SAMPLES = {
    "db": "orders",
    "dbname": "orders",
    "keyspace": "shop",
    "region": "us-east1",
    "int": "3",
    "cidr": "10.0.0.0/24",
    "email": "a@b.co",
    "text": "x",
    "subject": "U1AB",
    "channel": "C1AB",
    "role": "viewer",
    "glob": "dev-*",
    "kv": "endpoint=x",
    "id": "abc",
    "cloud": "aws",
    "principal": "arn:aws:iam::123456789012:root",
    "domain": "db.example.com",
    "kms-key": "arn:aws:kms:us-east-1:111122223333:key/1234abcd",
    "org": "dev",
}


def required_only(spec: CommandSpec) -> str:
    """The command with its required parameters only."""
    words = [spec.noun, *spec.verb] + [SAMPLES[p.kind] for p in spec.params if not p.optional]
    return " ".join(words)


def every_option(spec: CommandSpec) -> str:
    """The command with each parameter and each option given (the first of two switches)."""
    words = [spec.noun, *spec.verb] + [SAMPLES[p.kind] for p in spec.params]
    seen: set[str] = set()
    for f in spec.flags:
        if f.target in seen:
            continue
        seen.add(f.target)
        if f.kind == "switch":
            words.append(f"--{f.name}")
        else:
            words += [f"--{f.name}", f.choices[0] if f.choices else SAMPLES[f.kind]]
    return " ".join(words)
