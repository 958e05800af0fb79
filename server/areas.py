"""The domain areas, and the optional per-area modules (jobs.py, demo.py) found in them."""

from __future__ import annotations

import importlib
from types import ModuleType

AREAS = ("activities", "points", "pledges", "notices", "certificates", "privacy", "console",
         "desk")


def area_modules(name: str) -> list[ModuleType]:
    """Each area's `server.<area>.<name>` module, for the areas that have one."""
    modules = []
    for area in AREAS:
        try:
            modules.append(importlib.import_module(f"server.{area}.{name}"))
        except ModuleNotFoundError as exc:
            if exc.name != f"server.{area}.{name}":
                raise
    return modules
