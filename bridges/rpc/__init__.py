"""The RPC bridge: the ZeroRPC protocol (msgpack over ZeroMQ) in front of the model topics."""

from bridges.rpc.methods import MethodTable, RemoteCallError, ServiceMethods
from bridges.rpc.server import RpcServer

__all__ = ["MethodTable", "RemoteCallError", "RpcServer", "ServiceMethods"]
