"""Start the real assistant's processes (Rasa, the action server, the API, PostgreSQL/Redis) and
drive them, for the tests (``tests/``) and the benchmarks (``bench/``) alike.

Not part of the running application: ``api/``, ``bot/`` and ``indexer/`` never import it; it may
import them. It never imports ``tests`` or ``bench``.

- :mod:`tthc.stack.servers`: one Rasa server + the API serving its actions (``start_bot``),
  the generic :class:`~tthc.stack.servers.Server` (own session, free loopback port, log file).
- :mod:`tthc.stack.services`: PostgreSQL/Redis stores, action servers, Rasa servers with
  ``endpoints.multi.yml``, the API in front of several Rasa servers.
- :mod:`tthc.stack.load`: the chat load generator (sessions of realistic turns, lost turns).
"""
