"""All settings of the application environment (indexer, API, action server, CLI).

Every value can be overridden by an environment variable ``TTHC_<NAME>`` (e.g.
``TTHC_API_PORT=8080``). Paths default to locations inside the repository so a
fresh clone works without configuration. See README.md, section "Configuration".
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic_settings import BaseSettings, SettingsConfigDict

REPO_ROOT = Path(__file__).resolve().parent.parent


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="TTHC_", extra="ignore")

    # --- data locations ---
    knowledge_dir: Path = REPO_ROOT / "knowledge"
    """Committed, validated knowledge base (procedures, notices, lexicon)."""
    shared_dir: Path = REPO_ROOT.parent / "shared"
    """Raw inputs of the importer and the dev evaluation sets (not needed at run time)."""
    var_dir: Path = REPO_ROOT / "var"
    """Everything built or written at run time (model, index, Rasa models, databases)."""

    # --- embedding model ---
    model_dir: Path | None = None
    """Converted sentence-transformers model; default var/models/multilingual-e5-small."""
    embed_batch_size: int = 32

    # --- index ---
    index_dir: Path | None = None
    """Root of built indexes; default var/index (each build in its own folder, CURRENT points to one)."""

    preload_index: bool = True
    """Load the embedding model and index when the API starts (not on the first search)."""

    # --- services (loopback by default) ---
    api_host: str = "127.0.0.1"
    api_port: int = 8000
    rasa_url: str = "http://127.0.0.1:5005"
    action_server_url: str = ""
    """Base URL of a separate action server (``python -m rasa_sdk``, e.g. http://10.0.0.5:5055) whose
    /health the API's health check reads. Empty (default): the actions run in the API process
    (POST /webhook, api/routers/actions.py) and the model and index are loaded once."""
    action_token: str = ""
    """Secret Rasa sends as ``?token=`` to POST /webhook (endpoints.yml ``action_endpoint.token``);
    empty = only callers on this machine."""
    public_base_url: str = "http://localhost:8000"

    # --- web widget ---
    widget_allowed_origins: str = ""
    """Comma-separated origins of portal pages allowed to embed the widget (CORS on /api/chat).
    Empty (default) = only the origin of ``public_base_url``; "*" = any origin (not recommended)."""

    # --- Facebook Messenger (secrets only from the environment; unset = webhook disabled) ---
    messenger_verify_token: str = ""
    """Token typed in the Meta app's webhook settings, echoed back on GET verification."""
    messenger_app_secret: str = ""
    """App secret: key of the X-Hub-Signature-256 HMAC on every POST."""
    messenger_page_token: str = ""
    """Page access token used to reply through the Send API."""
    messenger_api_base: str = "https://graph.facebook.com/v19.0"
    """Graph API base URL (tests point it at a local server)."""

    # --- Zalo Official Account (secrets only from the environment; unset = webhook disabled) ---
    zalo_app_id: str = ""
    """ID of the Zalo app the OA is linked to (also in every webhook body)."""
    zalo_app_secret: str = ""
    """Secret of the Zalo app: needed only to refresh the OA access token."""
    zalo_oa_secret_key: str = ""
    """OA secret key: part of the X-ZEvent-Signature hash."""
    zalo_access_token: str = ""
    """Initial OA access token (later ones are stored in var/channels/zalo_tokens.json)."""
    zalo_refresh_token: str = ""
    """Initial OA refresh token (later ones are stored in var/channels/zalo_tokens.json)."""
    zalo_api_base: str = "https://openapi.zalo.me"
    """OA Open API base URL (tests point it at a local server)."""
    zalo_oauth_base: str = "https://oauth.zaloapp.com"
    """Zalo OAuth v4 base URL for refreshing tokens."""

    # --- both channels' webhooks ---
    webhook_replay_window_s: int = 300
    """Messenger and Zalo events whose own timestamp is further than this from now are refused (replay)."""
    webhook_seen_ttl_s: int = 172_800
    """How long a processed webhook event id is remembered (Redis when ``redis_url`` is set, else
    <var_dir>/channels/seen_events.db), so a replay after a restart or to another instance is ignored."""

    # --- outbound calls of the channels ---
    channel_http_timeout_s: float = 10.0
    channel_http_retries: int = 2
    """Extra attempts on 5xx answers and timeouts (bounded, with a short backoff)."""

    # --- staff tools (lookup page, office dashboard) ---
    tracker_db_url: str = ""
    """SQLAlchemy URL of Rasa's tracker store, read-only; default sqlite:///<var_dir>/rasa/tracker.db
    (PostgreSQL deployments: postgresql+psycopg://user:pass@host/db)."""
    staff_db: Path | None = None
    """SQLite file with staff accounts, sessions and login attempts; default <var_dir>/staff/staff.db."""
    staff_cookie_secure: bool | None = None
    """Send the staff session cookie with the Secure flag; unset = on whenever ``public_base_url``
    is https."""
    staff_session_hours: float = 12.0
    """Lifetime of a staff session."""
    staff_login_max_failures: int = 5
    """Failed logins allowed per account and per client address in staff_login_window_s."""
    staff_login_window_s: int = 900
    staff_timezone: str = "Asia/Ho_Chi_Minh"
    """Time zone of the office: days on the dashboard are counted in it."""

    # --- reliability and security (api/limits.py, api/logs.py, api/metrics.py) ---
    max_body_bytes: int = 1_000_000
    """Largest request body accepted on any route (413 before the handler reads it)."""
    chat_max_body_bytes: int = 32_768
    """Largest body of POST /api/chat (a 2,000-character message, JSON-escaped, fits)."""
    action_max_body_bytes: int = 8_000_000
    """Largest body of POST /webhook (Rasa sends the conversation's tracker and the domain)."""
    max_message_chars: int = 2000
    """Longest citizen message forwarded to Rasa (web chat answers 413, channels a polite reply)."""
    rate_limit_ip_per_s: float = 5.0
    """Sustained requests per second per client IP on /api/* (token bucket; 0 = no limit)."""
    rate_limit_ip_burst: int = 100
    rate_limit_sender_per_s: float = 1.0
    """Sustained messages per second per conversation (web session, PSID, Zalo user; 0 = no limit)."""
    rate_limit_sender_burst: int = 20
    redis_url: str = ""
    """redis://host:port/db — shared rate-limit buckets across API instances (empty = in memory)."""
    log_format: str = "json"
    """API logs: "json" (one object per line) or "text"."""
    metrics_token: str = ""
    """Bearer token for GET /metrics; empty = only loopback clients may read it."""

    # --- trust and personal data ---
    secret_key: str = ""
    """Key that signs web conversation ids and the bot's button payloads; empty = generated once and
    kept in <var_dir>/secret_key (API instances on several machines must share one: set it)."""
    conversation_retention_days: int = 90
    """Conversations whose last message is older than this are deleted by ``tthc conversations
    prune`` (run it daily); 0 = keep them."""

    # --- assistant behaviour ---
    office_contact: str = (
        "Bộ phận Một cửa (Trung tâm Phục vụ hành chính công) nơi bạn cư trú, "
        "hoặc tổng đài Cổng Dịch vụ công quốc gia 18001096"
    )

    @property
    def secure_cookies(self) -> bool:
        if self.staff_cookie_secure is not None:
            return self.staff_cookie_secure
        return self.public_base_url.lower().startswith("https://")

    @property
    def raw_data_dir(self) -> Path:
        return self.shared_dir / "data" / "raw"

    @property
    def seeds_dir(self) -> Path:
        return self.shared_dir / "seeds"

    @property
    def eval_dir(self) -> Path:
        return self.shared_dir / "eval"

    @property
    def resolved_model_dir(self) -> Path:
        return self.model_dir or self.var_dir / "models" / "multilingual-e5-small"

    @property
    def resolved_index_dir(self) -> Path:
        return self.index_dir or self.var_dir / "index"

    @property
    def resolved_tracker_db_url(self) -> str:
        return self.tracker_db_url or f"sqlite:///{self.var_dir / 'rasa' / 'tracker.db'}"

    @property
    def resolved_staff_db(self) -> Path:
        return self.staff_db or self.var_dir / "staff" / "staff.db"


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
