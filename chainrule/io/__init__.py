"""Reading and writing: network files, models and checkpoints (JSON, .npz; never pickle)."""
