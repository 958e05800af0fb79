"""The one boundary per request: views hold no queries. Every operation of the OpenAPI
document is served by a view whose module imports no sqlalchemy and touches no db.session;
the query belongs to the service the view calls."""

from __future__ import annotations

import ast
import inspect
import re
import sys

from server.extensions import api


def _view_functions(app) -> dict[tuple[str, str], object]:
    """(method, rule) → the undecorated function that serves it (a MethodView's methods
    included)."""
    views = {}
    for rule in app.url_map.iter_rules():
        view = app.view_functions[rule.endpoint]
        view_class = getattr(view, "view_class", None)
        if view_class is not None:
            for method in rule.methods - {"HEAD", "OPTIONS"}:
                views[method, rule.rule] = inspect.unwrap(getattr(view_class, method.lower()))
        else:
            views["*", rule.rule] = inspect.unwrap(view)
    return views


def _offences(module) -> list[str]:
    tree = ast.parse(inspect.getsource(module))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [f"imports {a.name}" for a in node.names if a.name.startswith("sqlalchemy")]
        elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith("sqlalchemy"):
            found.append(f"imports from {node.module}")
        elif (isinstance(node, ast.Attribute) and node.attr == "session"
              and isinstance(node.value, ast.Name) and node.value.id == "db"):
            found.append(f"touches db.session (line {node.lineno})")
    return found


def test_no_view_of_the_api_document_imports_sqlalchemy_or_touches_the_session(app):
    spec_paths = api.spec.to_dict()["paths"]
    # /api/v1/x/{id} in the document is /api/v1/x/<int:id> in the URL map
    documented = {re.sub(r"\{(\w+)\}", r"<\1>", path) for path in spec_paths}
    views = _view_functions(app)
    # converters, with or without arguments: <int:id>, <string(length=32):id>, <any(a, b):id>
    served = {re.sub(r"<(?:[^:>]+:)?(\w+)>", r"<\1>", rule) for _method, rule in views}
    assert documented <= served, documented - served
    modules = {view.__module__ for view in views.values()
               if view.__module__.startswith("server.")}
    assert "server.activities.routes" in modules and len(modules) >= 7
    offences = {name: _offences(sys.modules[name]) for name in sorted(modules)}
    assert {name: found for name, found in offences.items() if found} == {}


def test_importing_the_areas_connects_no_receiver():
    """Receivers are connected by create_app (server/receivers.py), never by an import: a
    script or a test that imports a module gets no message sent behind its back."""
    import subprocess

    script = (
        "import pkgutil, importlib, server\n"
        "from server import events\n"
        "for info in pkgutil.walk_packages(server.__path__, 'server.'):\n"
        "    importlib.import_module(info.name)\n"
        "signals = [v for v in vars(events).values() if hasattr(v, 'receivers')]\n"
        "print(sum(len(s.receivers) for s in signals), len(signals))\n"
    )
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                            check=True)
    connected, signals = map(int, result.stdout.split())
    assert signals >= 8
    assert connected == 0


def test_no_server_module_is_over_400_lines():
    from pathlib import Path

    import server

    root = Path(server.__file__).parent
    long = {str(path.relative_to(root)): lines for path in root.rglob("*.py")
            if (lines := len(path.read_text(encoding="utf-8").splitlines())) > 400}
    assert long == {}
