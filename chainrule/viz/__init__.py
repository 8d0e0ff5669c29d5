"""Pictures: network diagrams and training plots."""
