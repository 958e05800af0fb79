"""The certificates area has no scheduled job: a certificate is a snapshot, nothing expires."""

from __future__ import annotations

JOBS: list = []
