"""Summaries of py-spy raw (collapsed) stack files: where the samples went, by function."""

from __future__ import annotations

from collections import Counter
from pathlib import Path


def _frames(line: str) -> tuple[list[str], int] | None:
    stack, _, count = line.rpartition(" ")
    if not stack or not count.isdigit():
        return None  # not a "frame;frame;… count" line
    return stack.split(";"), int(count)


def _short(frame: str) -> str:
    # "function (path/to/file.py:123)" → "function (file.py)" keeping the package for ours
    name, _, where = frame.partition(" (")
    where = where.rstrip(")")
    path = where.rsplit(":", 1)[0]
    parts = Path(path).parts
    if "server" in parts:
        path = "/".join(parts[parts.index("server"):])
    elif "site-packages" in parts:
        path = "/".join(parts[parts.index("site-packages") + 1:][:2])
    else:
        path = Path(path).name
    return f"{name} ({path})"


def _samples(files: list[str]):
    """(shortened frames, count) for every stack in the py-spy raw files that exist."""
    for file in files:
        path = Path(file)
        if not path.exists():
            continue
        # "\n" only: frame names may hold other characters that splitlines() breaks on
        for line in path.read_text(errors="replace").split("\n"):
            parsed = _frames(line.strip())
            if parsed:
                frames, count = parsed
                yield [_short(f) for f in frames], count


def summarise(files: list[str], top: int = 25, idle_markers=("select (selectors.py)",
              "wait (gunicorn", "accept (", "sleep (", "run_for_one", "poll (")) -> str:
    inclusive: Counter[str] = Counter()
    own: Counter[str] = Counter()
    total = idle = 0
    for short, count in _samples(files):
        leaf = short[-1]
        if any(marker in leaf for marker in idle_markers):
            idle += count
            continue
        total += count
        own[leaf] += count
        for name in set(short):
            inclusive[name] += count
    if not total:
        return "(no samples)"
    lines = [f"{total} busy samples ({idle} idle left out)", "", "Inclusive (share of busy "
             "samples in which the function is on the stack):"]
    for name, count in inclusive.most_common(top):
        lines.append(f"  {100 * count / total:5.1f}%  {name}")
    lines += ["", "Self (the function itself is running):"]
    for name, count in own.most_common(15):
        lines.append(f"  {100 * count / total:5.1f}%  {name}")
    return "\n".join(lines)


def ours(files: list[str], top: int = 30) -> str:
    """Inclusive shares of the project's own functions only (server/…)."""
    inclusive: Counter[str] = Counter()
    total = 0
    for short, count in _samples(files):
        mine = {name for name in short if "(server/" in name}
        if not mine:
            continue
        total += count
        for name in mine:
            inclusive[name] += count
    lines = [f"{total} samples inside the app's code; inclusive shares:"]
    for name, count in inclusive.most_common(top):
        lines.append(f"  {100 * count / total:5.1f}%  {name}")
    return "\n".join(lines)


if __name__ == "__main__":
    import sys

    print(summarise(sys.argv[1:]))
    print()
    print(ours(sys.argv[1:]))
