"""Run Rasa's command line (``rasa run``, ``rasa shell``…) with the project's runtime fixes.

    .venv-rasa/bin/python -m bot.rasa_env.server run --model var/rasa/models/current.tar.gz …

Takes exactly the arguments of the ``rasa`` command. Before handing over to Rasa it
changes four costly details of Rasa 3.6 (measured with py-spy on a loaded server, and RSS):

- ``run`` does not load TensorFlow, which no component of this bot uses
  (bot/rasa_env/tensorflow_stand_in.py; memory: bench/bench_memory.py).

- Every custom-action call validated the action server's response with
  ``jsonschema.validate(result, schema)``, which first checks the *schema itself* against
  the JSON-Schema meta-schema, every time (≈ 14 % of the server's CPU), and tried each
  event against all 23 event types. Here the validator is built once per action class and
  checks an event against the type its name gives; responses are still validated, with
  the same verdict and error.
- The SQLite tracker store (the default) committed each turn in rollback-journal mode,
  two fsyncs per commit with the event loop blocked meanwhile (≈ 7 %). Here its
  connection stays open and uses ``journal_mode=WAL`` with ``synchronous=NORMAL``: a
  commit is one append to the log; a committed turn survives a crash of any process (a
  power cut may lose the last turns); readers such as the staff dashboard never block
  the writer. PostgreSQL is untouched.
- Every request to an endpoint (each custom-action call) opened a new aiohttp session —
  a new connector, TCP connection and teardown (≈ 10 %). Here each endpoint keeps one
  session per event loop and its connections alive between calls; timeouts, headers and
  authentication are those Rasa sets. An idle connection is dropped after
  ``IDLE_CONNECTION_S``, before the server's own keep-alive ends it (uvicorn, which serves
  the actions in the API, closes after 5 s): a call sent on a connection the server is
  closing fails ("Cannot write to closing transport") and the citizen gets no answer.
"""

from __future__ import annotations

import importlib
import sys
from typing import Any


class _ActionResultValidator:
    """Validates an action server's response against Rasa's schema, deciding each event's
    ``oneOf`` by its ``event`` name.

    Rasa's event schema is a ``oneOf`` over 23 event types that differ by the constant
    ``event``; jsonschema tries every alternative for every event and builds an error for
    each one that fails (≈ 7 % of the server's CPU per turn). Since at most one alternative
    can match a name, validating an event against the alternative its name picks gives the
    same verdict. A schema of another shape is validated as it is.

    :param schema: the action class's ``action_response_format_spec()``.
    """

    def __init__(self, schema: dict[str, Any]) -> None:
        from jsonschema.validators import validator_for

        cls = validator_for(schema)
        cls.check_schema(schema)  # once, as jsonschema.validate did on every call
        self.by_event: dict[str, Any] | None = None
        events = schema.get("properties", {}).get("events", {})
        alternatives = events.get("items", {}).get("oneOf", [])
        names = [alt.get("properties", {}).get("event", {}).get("const") for alt in alternatives]
        if alternatives and all(isinstance(n, str) for n in names) and len(set(names)) == len(names):
            items = {key: value for key, value in events["items"].items() if key != "oneOf"}
            schema = {**schema, "properties": {**schema["properties"], "events": {**events, "items": items}}}
            self.by_event = {name: cls(alt) for name, alt in zip(names, alternatives, strict=True)}
        self.validator = cls(schema)

    def validate(self, result: Any) -> None:
        """Raises jsonschema's ``ValidationError`` when ``result`` does not fit the schema."""
        from jsonschema import ValidationError

        self.validator.validate(result)  # also: "events" is a list of objects naming their type
        if self.by_event is None or not isinstance(result, dict):
            return
        for event in result.get("events") or ():
            alternative = self.by_event.get(event["event"])
            if alternative is None:
                raise ValidationError(f"{event['event']!r} is not a known event type")
            alternative.validate(event)


def _compiled_action_result_validation() -> None:
    from jsonschema import ValidationError
    from rasa.core.actions.action import RemoteAction

    original = RemoteAction._validate_action_result
    if getattr(original, "compiled", False):
        return
    validators: dict[type, _ActionResultValidator] = {}  # the schema is a constant of the action class

    def validate_action_result(self: RemoteAction, result: dict[str, Any]) -> bool:
        validator = validators.get(type(self))
        if validator is None:
            validator = validators[type(self)] = _ActionResultValidator(self.action_response_format_spec())
        try:
            validator.validate(result)
        except ValidationError as e:
            e.message += (
                ". Failed to validate Action server response from API, make sure your "
                "response from the Action endpoint is valid."
            )
            raise
        return True

    validate_action_result.compiled = True  # type: ignore[attr-defined]
    RemoteAction._validate_action_result = validate_action_result  # type: ignore[method-assign]


def _sqlite_on_connect(dbapi_connection: Any, _record: Any) -> None:
    if type(dbapi_connection).__module__.startswith("sqlite3"):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()


def _sqlite_write_ahead_log() -> None:
    import rasa.core.tracker_store as tracker_store
    from sqlalchemy import event
    from sqlalchemy.engine import Engine, make_url
    from sqlalchemy.pool import SingletonThreadPool

    if not event.contains(Engine, "connect", _sqlite_on_connect):
        event.listen(Engine, "connect", _sqlite_on_connect)

    engine_kwargs = tracker_store.create_engine_kwargs
    if getattr(engine_kwargs, "sqlite_tuned", False):
        return

    def create_engine_kwargs(url: Any) -> dict[str, Any]:
        kwargs = engine_kwargs(url)
        if make_url(str(url)).get_backend_name() == "sqlite":
            # keep the connection open: SQLAlchemy 1.4 opens and closes a file database's
            # connection per session, and closing the last one checkpoints the whole WAL
            kwargs["poolclass"] = SingletonThreadPool
        return kwargs

    create_engine_kwargs.sqlite_tuned = True  # type: ignore[attr-defined]
    tracker_store.create_engine_kwargs = create_engine_kwargs


IDLE_CONNECTION_S = 2.0


class _SharedSession:
    """``async with`` over a long-lived session: entering lends it, leaving keeps it open."""

    def __init__(self, session: Any) -> None:
        self.session = session

    async def __aenter__(self) -> Any:
        return self.session

    async def __aexit__(self, *exc_info: Any) -> bool:
        return False


def _keep_alive_endpoint_sessions() -> None:
    import asyncio

    import aiohttp
    from rasa.utils.endpoints import DEFAULT_REQUEST_TIMEOUT, EndpointConfig

    if getattr(EndpointConfig.session, "shared", False):
        return

    def session(self: EndpointConfig) -> _SharedSession:
        sessions = self.__dict__.setdefault("_sessions_by_loop", {})
        loop = asyncio.get_running_loop()
        current = sessions.get(loop)
        if current is None or current.closed:
            # Rasa's own session (EndpointConfig.session), with idle connections dropped early
            basic = self.basic_auth
            auth = aiohttp.BasicAuth(basic["username"], basic["password"]) if basic else None
            current = sessions[loop] = aiohttp.ClientSession(
                headers=self.headers,
                auth=auth,
                timeout=aiohttp.ClientTimeout(total=DEFAULT_REQUEST_TIMEOUT),
                connector=aiohttp.TCPConnector(keepalive_timeout=IDLE_CONNECTION_S),
            )
        return _SharedSession(current)

    session.shared = True  # type: ignore[attr-defined]
    EndpointConfig.session = session  # type: ignore[method-assign]


def apply_runtime_fixes() -> None:
    _compiled_action_result_validation()
    _sqlite_write_ahead_log()
    _keep_alive_endpoint_sessions()


def main() -> None:
    if sys.argv[1:2] == ["run"]:  # serving only: training needs the real TensorFlow
        from bot.rasa_env.settings import REPO_ROOT
        from bot.rasa_env.tensorflow_stand_in import install

        install(REPO_ROOT / "config.yml")
    apply_runtime_fixes()
    # endpoints.yml names this class; import it here so that a broken import stops the
    # server instead of Rasa silently falling back to an in-memory tracker store
    importlib.import_module("bot.rasa_env.tracker_store")
    from rasa.__main__ import main as rasa_main

    sys.argv[0] = "rasa"
    rasa_main()


if __name__ == "__main__":
    main()
