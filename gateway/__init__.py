"""dlp-gateway: the relay, policy, configuration and command line around the detectors."""

__version__ = "0.1.0"
