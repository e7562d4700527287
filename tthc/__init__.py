"""Application package: settings and the ``tthc`` command line."""
