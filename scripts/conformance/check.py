"""Checks a running medaid server with an independent gRPC client (grpcio).

Usage: check.py HOST:PORT TOKEN

Each check prints one line; the last line is `conformance: N passed, M failed`, and the exit status is
non-zero when any check failed.
"""

import sys

import grpc
from google.protobuf import descriptor_pb2  # noqa: F401  (registers descriptor types for reflection)
from google.rpc import error_details_pb2
from grpc_health.v1 import health_pb2, health_pb2_grpc
from grpc_reflection.v1alpha import reflection_pb2, reflection_pb2_grpc
from grpc_status import rpc_status

DOMAIN = "medaid.v1"
TIMEOUT = 5.0


def check_health(channel, _token):
    """The whole server reports SERVING."""
    stub = health_pb2_grpc.HealthStub(channel)
    reply = stub.Check(health_pb2.HealthCheckRequest(service=""), timeout=TIMEOUT)
    if reply.status != health_pb2.HealthCheckResponse.SERVING:
        return f"status is {health_pb2.HealthCheckResponse.ServingStatus.Name(reply.status)}"
    return None


def check_reflection(channel, token):
    """v1alpha reflection lists the event service to an authenticated caller."""
    stub = reflection_pb2_grpc.ServerReflectionStub(channel)
    requests = iter([reflection_pb2.ServerReflectionRequest(list_services="")])
    metadata = [("authorization", f"Bearer {token}")]
    names = []
    for reply in stub.ServerReflectionInfo(requests, timeout=TIMEOUT, metadata=metadata):
        names.extend(service.name for service in reply.list_services_response.service)
    if "medaid.v1.EventService" not in names:
        return f"medaid.v1.EventService missing from {names}"
    return None


def error_info(error):
    """The ErrorInfo detail of a failed call, or None."""
    status = rpc_status.from_call(error)
    if status is None:
        return None
    for detail in status.details:
        if detail.Is(error_details_pb2.ErrorInfo.DESCRIPTOR):
            info = error_details_pb2.ErrorInfo()
            detail.Unpack(info)
            return info
    return None


def call_get_event(channel, metadata):
    """Calls medaid.v1.EventService/GetEvent with a hand-encoded request (no generated stubs needed)."""
    # GetEventRequest { position = 1 (varint) }: a position far beyond the head.
    request = bytes([0x08]) + encode_varint(1 << 40)
    method = channel.unary_unary(
        "/medaid.v1.EventService/GetEvent",
        request_serializer=lambda b: b,
        response_deserializer=lambda b: b,
    )
    return method(request, timeout=TIMEOUT, metadata=metadata)


def encode_varint(value):
    """Encodes a protobuf varint."""
    out = bytearray()
    while True:
        byte = value & 0x7F
        value >>= 7
        if value:
            out.append(byte | 0x80)
        else:
            out.append(byte)
            return bytes(out)


def expect_error_info(channel, metadata, expected_code):
    """A call that must fail with `expected_code` and carry ErrorInfo in the medaid.v1 domain."""
    try:
        call_get_event(channel, metadata)
    except grpc.RpcError as error:
        if error.code() != expected_code:
            return f"code {error.code()} (expected {expected_code}): {error.details()}"
        info = error_info(error)
        if info is None:
            return "no google.rpc.ErrorInfo in the status details"
        if info.domain != DOMAIN:
            return f"ErrorInfo domain is {info.domain!r}"
        if not info.reason:
            return "ErrorInfo has no reason"
        print(f"  reason={info.reason} metadata={dict(info.metadata)}")
        return None
    return "the call succeeded"


def check_unauthenticated(channel, _token):
    """A call without a token is UNAUTHENTICATED with ErrorInfo."""
    return expect_error_info(channel, None, grpc.StatusCode.UNAUTHENTICATED)


def check_not_found(channel, token):
    """A call with a dev token for a missing event is NOT_FOUND with ErrorInfo."""
    return expect_error_info(
        channel, [("authorization", f"Bearer {token}")], grpc.StatusCode.NOT_FOUND
    )


CHECKS = [check_health, check_reflection, check_unauthenticated, check_not_found]


def main():
    if len(sys.argv) != 3:
        print("usage: check.py HOST:PORT TOKEN", file=sys.stderr)
        return 2
    target, token = sys.argv[1], sys.argv[2]
    passed = failed = 0
    with grpc.insecure_channel(target) as channel:
        grpc.channel_ready_future(channel).result(timeout=10)
        for check in CHECKS:
            try:
                problem = check(channel, token)
            except grpc.RpcError as error:
                problem = f"unexpected {error.code()}: {error.details()}"
            except Exception as error:  # noqa: BLE001  (any crash is a failed check)
                problem = f"crashed: {error!r}"
            if problem is None:
                passed += 1
                print(f"PASS {check.__name__}")
            else:
                failed += 1
                print(f"FAIL {check.__name__}: {problem}")
    print(f"conformance: {passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
