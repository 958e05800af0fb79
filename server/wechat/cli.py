"""`flask wechat-standin`: run the stand-in WeChat API in the foreground (development, demo)."""

from __future__ import annotations

import click
from flask import current_app

from server.wechat.standin import StandInServer, miniprogram_pages


@click.command("wechat-standin")
@click.option("--host", default=None, help="address to listen on (default WECHAT_STANDIN_HOST)")
@click.option("--port", default=None, type=int, help="port (default WECHAT_STANDIN_PORT)")
def standin_command(host: str | None, port: int | None) -> None:
    """Serve the stand-in WeChat API until interrupted (模拟微信接口)."""
    config = current_app.config
    server = StandInServer(
        host=host or config["WECHAT_STANDIN_HOST"],
        port=port if port is not None else config["WECHAT_STANDIN_PORT"],
        appid=config["WECHAT_APPID"],
        secret=config["WECHAT_SECRET"],
    )
    pages = miniprogram_pages()
    if pages:  # a subscribe message may only open one of the mini-program's pages (41030)
        server.state.set_pages(pages)
    click.echo(f"模拟微信接口 (stand-in WeChat API): {server.url}")
    click.echo(f"  appid={config['WECHAT_APPID']}; demo login codes: demo:<name>[:<n>]")
    click.echo(f"  admin: POST {server.url}_standin/codes | phone-codes | faults | reset ...")
    if server.url != config["WECHAT_API_BASE_URL"]:
        click.echo(f"  note: the app uses WECHAT_API_BASE_URL={config['WECHAT_API_BASE_URL']}")
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        click.echo("stopped")
