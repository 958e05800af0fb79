"""A stand-in for the WeChat server API, in memory, for development, the demo and tests.

It follows WeChat's documented contract (errors are {"errcode": N, "errmsg": "..."}) for the
calls this service makes, so the app talks to it through wechatpy's real HTTP client. Test
and demo controls live under `_standin/` (HTTP) and on `StandInServer.state` (Python).

state.py (logins, phone, text check), tokens.py, subscriptions.py: what WeChat answers;
app.py: the HTTP paths; server.py: the socket.
"""

from server.wechat.standin.app import create_standin_app
from server.wechat.standin.server import StandInServer, miniprogram_pages
from server.wechat.standin.state import StandInState, demo_openid, demo_unionid

__all__ = ["StandInServer", "StandInState", "create_standin_app", "demo_openid",
           "demo_unionid", "miniprogram_pages"]
