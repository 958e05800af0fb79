"""WeChat: the wechatpy client wrapper (client.py) and the stand-in WeChat API (standin.py)."""
