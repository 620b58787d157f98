"""Shared output for commands with --json: one JSON document on stdout, stable keys."""

import json
from typing import Any


def emit(command: Any, payload: dict[str, Any], text: str) -> None:
    if command._json:
        command.stdout.write(json.dumps(payload, ensure_ascii=False))
    else:
        command.stdout.write(text)
