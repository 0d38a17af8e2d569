"""Test harness: a local moto server, a fault-injecting proxy and an isolated AWS environment."""

from .environment import (
    ISOLATED_REGION,
    REMOVED_VARIABLES,
    apply_isolated_aws_environment,
    child_process_environment,
    isolated_aws_environment,
    variables_to_remove,
)
from .fault_proxy import (
    Delay,
    DropAfterForward,
    DropBeforeForward,
    ErrorReply,
    Fault,
    FaultProxy,
    RecordedCall,
    Stall,
)
from .moto_server import MotoServer

__all__ = [
    "ISOLATED_REGION",
    "REMOVED_VARIABLES",
    "Delay",
    "DropAfterForward",
    "DropBeforeForward",
    "ErrorReply",
    "Fault",
    "FaultProxy",
    "MotoServer",
    "RecordedCall",
    "Stall",
    "apply_isolated_aws_environment",
    "child_process_environment",
    "isolated_aws_environment",
    "variables_to_remove",
]
