"""eosdnn: plan DNN inference offloading in local-edge-cloud systems."""

__version__ = "0.1.0"
