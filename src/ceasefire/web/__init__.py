"""The local web app (``ceasefire serve``): edit a scenario, run it, read and compare results.

Needs the ``web`` extra (fastapi, uvicorn, python-multipart). ``create_app(workspace)`` builds
the application; see :mod:`ceasefire.web.app`.
"""

from __future__ import annotations

from ceasefire.web.app import create_app

__all__ = ["create_app"]
