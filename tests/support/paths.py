"""Where things are: the repository's root, whatever folder a test lives in."""

import pathlib

ROOT = pathlib.Path(__file__).resolve().parents[2]
