"""Settings of the Rasa (Python 3.10) environment: training and the NLU components.

Plain environment variables with defaults inside the repository (pydantic-settings
is not available next to Rasa 3.6). The Rasa server itself is configured by
``endpoints.yml`` / ``credentials.yml``, which read ``${VAR}`` from the environment.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]  # bot/rasa_env/settings.py → the repository


@dataclass(frozen=True)
class RasaSettings:
    var_dir: Path
    models_dir: Path
    # the converted e5 model (`tthc model prepare`); its int8 query encoder embeds
    # messages for the intent classifier (bot/rasa_env/components/sentence_embedding_featurizer.py)
    embedding_model_dir: Path
    training_files: tuple[Path, ...]

    @property
    def current_model(self) -> Path:
        return self.models_dir / "current.tar.gz"


def get_rasa_settings() -> RasaSettings:
    var_dir = Path(os.environ.get("TTHC_VAR_DIR", REPO_ROOT / "var"))
    return RasaSettings(
        var_dir=var_dir,
        models_dir=Path(os.environ.get("TTHC_RASA_MODELS_DIR", var_dir / "rasa" / "models")),
        embedding_model_dir=Path(
            os.environ.get("TTHC_MODEL_DIR") or var_dir / "models" / "multilingual-e5-small"
        ),
        training_files=(REPO_ROOT / "config.yml", REPO_ROOT / "domain.yml", REPO_ROOT / "bot" / "data"),
    )
