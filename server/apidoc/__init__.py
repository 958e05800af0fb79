"""The OpenAPI document, finished: the real error shape and every code an operation can answer,
the Idempotency-Key, decimals as strings, links between operations, Swagger UI served locally.

flask-smorest writes the document from the schemas; this package adds what the schemas cannot
say: how fields become properties (`prepare`, before the blueprints are registered, fields.py),
then after them each operation's error codes (derived from what its view raises, codes.py), its
idempotency header and links (`complete`, document.py, links.py); Swagger UI's files come from
the app itself (assets.py).
"""

from server.apidoc.assets import SWAGGER_ASSETS, swagger_ui_assets
from server.apidoc.codes import raised_codes
from server.apidoc.document import complete
from server.apidoc.fields import prepare

__all__ = ["SWAGGER_ASSETS", "complete", "prepare", "raised_codes", "swagger_ui_assets"]
