"""How a cell of the results table writes a figure: pass or miss, milliseconds."""

from __future__ import annotations


def mark(ok: bool) -> str:
    return "pass" if ok else "**miss**"


def ms(value: float) -> str:
    return f"{value:.1f} ms" if value >= 10 else f"{value:.2f} ms"
