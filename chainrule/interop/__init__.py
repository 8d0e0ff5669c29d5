"""Hand-offs to other libraries: scikit-learn estimators, PyTorch modules (optional extras)."""
