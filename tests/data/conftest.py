"""Keep the ``datasets`` library offline in these tests (it reads these at import time)."""

import os

os.environ["HF_DATASETS_OFFLINE"] = "1"
os.environ["HF_HUB_OFFLINE"] = "1"
