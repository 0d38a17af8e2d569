"""Test harness: a local moto server, a fault-injecting proxy and an isolated AWS environment.

`aws_errors` contains error replies shaped like Secrets Manager's, and `SilentEndpoint` is a
local endpoint that never responds.
"""

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
from .silent_endpoint import SilentEndpoint

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
    "SilentEndpoint",
    "Stall",
    "apply_isolated_aws_environment",
    "child_process_environment",
    "isolated_aws_environment",
    "variables_to_remove",
]
