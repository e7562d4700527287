"""Location of the files the web pages are served from."""

from pathlib import Path

STATIC_DIR = Path(__file__).resolve().parent / "static"
