"""govreport: Chinese government information-disclosure annual reports -> checked, structured records."""

__version__ = "0.1.0"
