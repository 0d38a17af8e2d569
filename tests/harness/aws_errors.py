"""Error replies shaped like Secrets Manager's, to inject with `FaultProxy.inject`.

Each constant has the error code and HTTP status that Secrets Manager documents for the case.
The messages are written for these tests, but they keep the words that the provider reads to
tell cases apart ("staging label", "deletion", "KMS"). moto returns none of these by itself.
"""

from __future__ import annotations

from .fault_proxy import ErrorReply

__all__ = [
    "BAD_GATEWAY",
    "DECRYPTION_FAILURE",
    "ENCRYPTION_FAILURE",
    "EXPIRED_TOKEN",
    "GATEWAY_TIMEOUT",
    "INTERNAL_SERVICE_ERROR",
    "INVALID_PARAMETER",
    "INVALID_SIGNATURE",
    "KMS_ACCESS_DENIED",
    "KMS_DISABLED",
    "KMS_INVALID_STATE",
    "LIMIT_EXCEEDED",
    "MARKED_FOR_DELETION",
    "NAME_PENDING_DELETION",
    "NOT_FOUND",
    "SERVICE_UNAVAILABLE",
    "THROTTLING",
    "TOO_MANY_REQUESTS",
    "UNRECOGNIZED_CLIENT",
    "VERSION_NOT_FOUND",
    "access_denied",
]

# Transient: throttling and server-side failures, which the provider retries.
THROTTLING = ErrorReply("ThrottlingException", "Rate exceeded")
TOO_MANY_REQUESTS = ErrorReply("TooManyRequestsException", "Too many requests", status=429)
INTERNAL_SERVICE_ERROR = ErrorReply(
    "InternalServiceError", "An error occurred on the server side.", status=500
)
BAD_GATEWAY = ErrorReply("BadGateway", "The gateway received an invalid reply.", status=502)
SERVICE_UNAVAILABLE = ErrorReply(
    "ServiceUnavailable", "The service is unavailable. Try again later.", status=503
)
GATEWAY_TIMEOUT = ErrorReply("GatewayTimeout", "The gateway timed out.", status=504)

# Permanent: credentials.
EXPIRED_TOKEN = ErrorReply(
    "ExpiredTokenException", "The security token included in the request is expired"
)
UNRECOGNIZED_CLIENT = ErrorReply(
    "UnrecognizedClientException", "The security token included in the request is invalid."
)
INVALID_SIGNATURE = ErrorReply(
    "InvalidSignatureException", "Signature expired: the request time is too far from now."
)

# Permanent: KMS.
KMS_ACCESS_DENIED = ErrorReply(
    "AccessDeniedException", "Access to KMS is not allowed. Check the key policy."
)
DECRYPTION_FAILURE = ErrorReply(
    "DecryptionFailure", "Secrets Manager can't decrypt the secret text with the KMS key."
)
ENCRYPTION_FAILURE = ErrorReply(
    "EncryptionFailure", "Secrets Manager can't encrypt the secret text with the KMS key."
)
KMS_DISABLED = ErrorReply("KMSDisabledException", "The KMS key is disabled.")
KMS_INVALID_STATE = ErrorReply("KMSInvalidStateException", "The KMS key is pending deletion.")

# Permanent: the secret's state, and requests Secrets Manager rejects.
NOT_FOUND = ErrorReply(
    "ResourceNotFoundException", "Secrets Manager can't find the specified secret."
)
VERSION_NOT_FOUND = ErrorReply(
    "ResourceNotFoundException",
    "Secrets Manager can't find the specified secret value for staging label: AWSCURRENT",
)
MARKED_FOR_DELETION = ErrorReply(
    "InvalidRequestException",
    "You can't perform this operation on the secret because it was marked for deletion.",
)
NAME_PENDING_DELETION = ErrorReply(
    "InvalidRequestException",
    "You can't create this secret because a secret with this name is already scheduled "
    "for deletion.",
)
INVALID_PARAMETER = ErrorReply("InvalidParameterException", "The parameter Name is invalid.")
LIMIT_EXCEEDED = ErrorReply(
    "LimitExceededException", "The request would exceed the number of secrets allowed."
)


def access_denied(action: str) -> ErrorReply:
    """Return the reply IAM gives when the caller's policy does not allow `action`."""
    return ErrorReply(
        "AccessDeniedException",
        f"User: arn:aws:sts::123456789012:assumed-role/app/session is not authorized to "
        f"perform: {action} because no identity-based policy allows the {action} action",
    )
