"""The package's version: a leaf module, so anything may import it without importing the rest."""

__version__ = "0.2.0"
