"""Building the web console (npm ci + vite build) when its build is missing or stale."""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Callable
from pathlib import Path

CONSOLE_DIR = Path(__file__).resolve().parent.parent / "console"
DIST_DIR = CONSOLE_DIR / "dist"
SOURCES = ("src", "public", "index.html", "vite.config.js", "package.json", "package-lock.json")
Log = Callable[[str], None]


def _newest_mtime(paths: list[Path]) -> float:
    newest = 0.0
    for path in paths:
        if path.is_dir():
            for root, _dirs, files in os.walk(path):
                for name in files:
                    newest = max(newest, (Path(root) / name).stat().st_mtime)
        elif path.exists():
            newest = max(newest, path.stat().st_mtime)
    return newest


def is_stale(console_dir: Path = CONSOLE_DIR) -> bool:
    """True when dist/index.html is missing or older than any source of the console."""
    index = console_dir / "dist" / "index.html"
    if not index.is_file():
        return True
    sources = [console_dir / name for name in SOURCES]
    return _newest_mtime(sources) > index.stat().st_mtime


def _dependencies_stale(console_dir: Path) -> bool:
    # npm writes node_modules/.package-lock.json on every install
    installed = console_dir / "node_modules" / ".package-lock.json"
    lock = console_dir / "package-lock.json"
    return not installed.is_file() or lock.stat().st_mtime > installed.stat().st_mtime


def _run(command: list[str], cwd: Path, log: Log) -> bool:
    log(f"$ {' '.join(command)}  (在 {cwd})")
    with subprocess.Popen(
        command, cwd=cwd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True
    ) as process:
        assert process.stdout is not None
        for line in process.stdout:
            log("  " + line.rstrip())
    return process.returncode == 0


def build(log: Log = print, force: bool = False, console_dir: Path = CONSOLE_DIR) -> bool:
    """Install the console's packages when needed and build it; False when it could not."""
    npm = shutil.which("npm")
    if npm is None:
        log("管理后台未构建：找不到 npm（需要 Node 20）。接口照常可用。")
        return False
    if force or _dependencies_stale(console_dir):
        log("管理后台：安装依赖（npm ci，首次约 1 分钟）…")
        if not _run([npm, "ci", "--no-audit", "--no-fund"], console_dir, log):
            log("管理后台：npm ci 失败，见上方输出")
            return False
    log("管理后台：构建中（npm run build）…")
    if not _run([npm, "run", "build"], console_dir, log):
        log("管理后台：构建失败，见上方输出")
        return False
    log(f"管理后台：已构建到 {console_dir / 'dist'}")
    return True


def ensure_built(log: Log = print) -> bool:
    """Build the console when its build is missing or older than its sources (the demo)."""
    if not is_stale():
        log("管理后台：已是最新构建")
        return True
    return build(log)
