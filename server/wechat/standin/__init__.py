"""tmp"""
from server.wechat.standin._old import *  # noqa
from server.wechat.standin._old import StandInServer, demo_openid, demo_unionid, create_standin_app, StandInState  # noqa
