"""Fixtures of the reliability tests.

Fast tests build the FastAPI app in-process with settings from environment variables
(``settings_env``, tests/conftest.py). Slow tests start real servers (tthc/stack/servers.py,
and tthc/stack/services.py for PostgreSQL/Redis/uvicorn) and stop them.
"""
