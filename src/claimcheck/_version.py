"""The package version (read by the build backend, kept free of imports for a fast --version)."""

__version__ = "0.1.0"
