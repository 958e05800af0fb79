"""The stand-in's HTTP interface: WeChat's paths (each with its one HTTP method; the other
gets WeChat's JSON 43001/43002, not an HTML page), and the admin API under `_standin/` that
tests and the demo use to arrange what WeChat would know."""

from __future__ import annotations

from collections.abc import Callable

from flask import Flask, jsonify, request

from server.wechat.standin.errors import error
from server.wechat.standin.state import StandInState

WRONG_METHOD = {"GET": 43001, "POST": 43002}  # the method the path requires → errcode


def _body() -> dict:
    # wechatpy posts JSON without a Content-Type header
    body = request.get_json(force=True, silent=True)
    return body if isinstance(body, dict) else {}


def create_standin_app(appid: str, secret: str, state: StandInState | None = None) -> Flask:
    app = Flask("wechat_standin")
    app.json.ensure_ascii = False
    app.json.sort_keys = False
    state = state or StandInState(appid, secret)
    app.extensions["wechat_standin"] = state

    def wechat(path: str, method: str, needs_token: bool = True):
        """Register a WeChat call: a fault injected for `path` answers first, then the
        method, then the access token (when the call takes one)."""

        def register(handler: Callable[[], dict]):
            def view():
                fault = state.begin_call(path)
                if fault is not None:
                    return jsonify(error(fault))
                if request.method != method:
                    return jsonify(error(WRONG_METHOD[method]))
                if needs_token:
                    errcode = state.token_errcode(request.args.get("access_token"))
                    if errcode:
                        return jsonify(error(errcode))
                answer = handler()
                state.withhold_answer(path)
                return jsonify(answer)

            app.add_url_rule(f"/{path}", path, view, methods=["GET", "POST"])
            return handler

        return register

    @wechat("cgi-bin/token", "GET", needs_token=False)
    def token():
        args = request.args
        if args.get("grant_type") != "client_credential":
            return error(40002)
        return state.issue_token(args.get("appid"), args.get("secret"))

    @wechat("cgi-bin/stable_token", "POST", needs_token=False)
    def stable_token():
        return state.issue_stable_token(_body())

    @wechat("sns/jscode2session", "GET", needs_token=False)
    def jscode2session():
        args = request.args
        return state.code_to_session(
            args.get("appid"), args.get("secret"), args.get("js_code"), args.get("grant_type")
        )

    @wechat("wxa/business/getuserphonenumber", "POST")
    def phone_number():
        return state.phone_number(_body().get("code"))

    @wechat("cgi-bin/message/subscribe/send", "POST")
    def subscribe_send():
        return state.send_subscribe(_body())

    @wechat("wxa/msg_sec_check", "POST")
    def msg_sec_check():
        return state.msg_sec_check(_body())

    @app.errorhandler(405)
    def wrong_method(_error):
        return jsonify(error(43002 if request.method == "GET" else 43001))

    _admin_api(app, state)
    return app


def _required(body: dict, *names: str):
    missing = [name for name in names if body.get(name) in (None, "")]
    if missing:
        return jsonify({"error": f"{', '.join(missing)} required"}), 400
    return None


def _admin_api(app: Flask, state: StandInState) -> None:
    """For tests and the demo, never part of WeChat."""

    def admin(path: str, *required: str):
        def register(action: Callable[[dict], dict | None]):
            def view():
                body = _body()
                refused = _required(body, *required)
                if refused:
                    return refused
                return jsonify(action(body) or {"ok": True})

            app.add_url_rule(f"/_standin/{path}", f"admin_{path}", view, methods=["POST"])
            return action

        return register

    admin("reset")(lambda body: state.reset())
    admin("codes")(lambda body: {"code": state.issue_code(body.get("openid"),
                                                          body.get("unionid"))})
    admin("phone-codes", "phone")(lambda body: {"code": state.issue_phone_code(
        str(body["phone"]), str(body.get("country_code") or "86"))})
    admin("faults", "path", "errcode")(lambda body: state.add_fault(
        body["path"], int(body["errcode"]), int(body.get("times", 1))))
    admin("refusals", "openid", "template_id")(
        lambda body: state.add_refusal(body["openid"], body["template_id"]))
    admin("expire-tokens")(lambda body: state.expire_tokens())
    admin("risky-words")(lambda body: state.set_risky_words(
        list(body.get("words") or []), body.get("review")))
    admin("visits", "openid")(lambda body: state.visit(body["openid"]))
    admin("templates", "template_id")(lambda body: state.register_template(
        body["template_id"], body.get("keywords")))
    admin("pages", "pages")(lambda body: state.set_pages(list(body["pages"])))
    admin("subscriptions", "openid", "template_id")(lambda body: state.accept(
        body["openid"], body["template_id"], int(body.get("times", 1))))

    @app.get("/_standin/sent")
    def admin_sent():
        return jsonify({"sent": state.sent()})

    @app.get("/_standin/stats")
    def admin_stats():
        return jsonify(state.stats())

    @app.get("/_standin/subscriptions")
    def admin_credits():
        args = request.args
        return jsonify({"credits": state.credits(args.get("openid", ""),
                                                 args.get("template_id", ""))})
