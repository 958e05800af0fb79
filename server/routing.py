"""URL rules whose URL builders are compiled once per process rather than once per app."""

from __future__ import annotations

from typing import Any

from werkzeug.routing import Rule


class BuilderOnceRule(Rule):
    """werkzeug compiles two URL-building functions for every rule of every app (Python source
    through `compile()`): most of the cost of an app once its OpenAPI document is reused. The
    function depends only on the rule's parsed parts and defaults and reads its converters
    from the rule it is bound to, so rules alike share one."""

    _builders: dict[tuple, Any] = {}

    def _compile_builder(self, append_unknown: bool = True):
        key = (self.rule, tuple(self._trace), append_unknown,
               repr(sorted((self.defaults or {}).items())),
               tuple((name, type(converter)) for name, converter in self._converters.items()))
        builder = self._builders.get(key)
        if builder is None:
            builder = self._builders[key] = super()._compile_builder(append_unknown)
        return builder
