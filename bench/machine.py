"""The machine a run measures on, and its noise: what it is (CPU, memory, versions) and how
loaded it was before each measure (the load average and every other process above 20 % of a
core), so each figure in the results can say BUSY when someone else held the CPU."""

from __future__ import annotations

import os
import platform
import time
from pathlib import Path

from bench.common import connect

BUSY_SHARE_PERCENT = 20  # another process above this share of a core makes a figure BUSY


def machine_info(database_url: str) -> dict:
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory = "unknown"
    try:
        kb = int(Path("/proc/meminfo").read_text().split("\n")[0].split()[1])
        memory = f"{kb / 1024 / 1024:.1f} GiB"
    except (OSError, ValueError, IndexError):
        pass
    with connect(database_url) as conn:
        pg = conn.execute("SHOW server_version").fetchone()[0]
    import gunicorn
    import sqlalchemy

    return {"cpu": cpu, "cores": os.cpu_count(), "memory": memory,
            "python": platform.python_version(), "postgresql": pg,
            "os": f"{platform.system()} {platform.release()}",
            "gunicorn": gunicorn.__version__, "sqlalchemy": sqlalchemy.__version__}



def _cpu_ticks() -> dict[int, tuple[int, str]]:
    """utime + stime of every process, with its command name, from /proc."""
    ticks = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            text = stat.read_text()
        except OSError:
            continue
        name = text[text.index("(") + 1:text.rindex(")")]
        fields = text[text.rindex(")") + 2:].split()
        ticks[int(stat.parent.name)] = (int(fields[11]) + int(fields[12]), name)
    return ticks


def machine_load(seconds: float = 1.0) -> dict:
    """The 1-minute load average, and every other process that took more than 20 % of a core
    over the last second: the machine is shared, and what else runs takes CPU from the
    figures. Called before a measure, while this benchmark's own servers are idle; `busy`
    marks the figures that follow."""
    hz = os.sysconf("SC_CLK_TCK")
    before = _cpu_ticks()
    time.sleep(seconds)
    after = _cpu_ticks()
    busiest = []
    for pid, (ticks, name) in after.items():
        if pid == os.getpid() or pid not in before:
            continue
        share = (ticks - before[pid][0]) / hz / seconds * 100
        if share > BUSY_SHARE_PERCENT:
            busiest.append(f"{name} {share:.0f}%")
    return {"load1": os.getloadavg()[0], "busiest": busiest, "busy": bool(busiest)}



def load_mark(load: dict | None) -> str:
    """The load before a figure, as written beside it; BUSY when another process took more than
    20 % of a core then."""
    if not load:
        return "not sampled"
    mark = f"load {load['load1']:.1f}"
    return mark + (f"; BUSY: {', '.join(load['busiest'])}" if load.get("busy") else "")
