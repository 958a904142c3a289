"""cockpit.config: the YAML config file (inventory, SSH settings, nimadm plan) as validated models."""

from cockpit.config.loader import load_config
from cockpit.config.models import Config, Host, NimadmPlan, PlanClient, Role, SSHSettings
from cockpit.config.problems import ConfigError, ConfigProblem

__all__ = [
    "Config",
    "ConfigError",
    "ConfigProblem",
    "Host",
    "NimadmPlan",
    "PlanClient",
    "Role",
    "SSHSettings",
    "load_config",
]
