"""Fault drills: real processes (gunicorn, the scheduler, the stand-in WeChat API, an own
PostgreSQL) broken on purpose while a mini-program-like client works; then what the client was
told is compared with what the database holds. `python -m bench.drills` (bench/README.md)."""
