"""The PKI Consortium's official PKIMM files: an extra test set, found through PKIMM_OFFICIAL_DIR.

The suite's own data is the built-in starter model and small files the tests write; only tests about the
official files themselves (schema agreement, importing every official version and extension) read these.
They carry the ``official`` marker: without the files they are skipped locally with a reason naming
PKIMM_OFFICIAL_DIR and fail under CI=true (tests/services.py, tests/conftest.py).
"""

import os
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def official_dir() -> Path:
    """PKIMM_OFFICIAL_DIR, else ../shared/pkimm beside the repository."""
    value = os.environ.get("PKIMM_OFFICIAL_DIR")
    return Path(value).resolve() if value else REPO.parent / "shared" / "pkimm"


OFFICIAL_DIR = official_dir()
MODEL_1_0 = OFFICIAL_DIR / "pkimm-model-1.0.0.yaml"
MODEL_1_1 = OFFICIAL_DIR / "pkimm-model-1.1.0.yaml"
PQC_EXTENSION = OFFICIAL_DIR / "extensions" / "pqc-extension.yaml"
MODEL_SCHEMA = OFFICIAL_DIR / "pkimm-model.schema.json"
EXTENSION_SCHEMA = OFFICIAL_DIR / "extensions" / "extension.schema.json"
OFFICIAL_FILES = (MODEL_1_0, MODEL_1_1, PQC_EXTENSION, MODEL_SCHEMA, EXTENSION_SCHEMA)


def official_files_missing() -> list[Path]:
    return [path for path in OFFICIAL_FILES if not path.is_file()]
